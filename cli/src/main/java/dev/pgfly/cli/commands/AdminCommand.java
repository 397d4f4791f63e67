package dev.pgfly.cli.commands;

import dev.pgfly.cli.admin.AdminDb;

/** Plumbing of the database administration commands: superuser SQL through the cluster's proxy. */
abstract class AdminCommand extends ClusterCommand {

    AdminDb admin(String cluster) {
        return AdminDb.fromUrl(cluster, UrlCommand.connectUrl(daemon(), cluster, false, "postgres"));
    }
}
