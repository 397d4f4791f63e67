package dev.pgfly.node.api;

import java.util.List;

/** What a rolling restart did, step by step; empty when nothing needed a restart. */
public record RestartResult(List<Step> steps, String primary, String note) {

    public record Step(String action, String member, long millis) {
    }
}
