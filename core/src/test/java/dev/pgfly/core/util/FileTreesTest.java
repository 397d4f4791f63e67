package dev.pgfly.core.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class FileTreesTest {
    @TempDir
    Path tmp;

    @Test
    void deletesATreeChildrenFirst() throws Exception {
        Path root = tmp.resolve("tree");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/b/c/f"), "x");
        Files.writeString(root.resolve("a/g"), "y");

        FileTrees.delete(root);

        assertThat(root).doesNotExist();
        assertThat(tmp).isDirectory();
    }

    @Test
    void aMissingTreeIsNotAnError() throws Exception {
        FileTrees.delete(tmp.resolve("nothing"));
        FileTrees.deleteContents(tmp.resolve("nothing"));
    }

    @Test
    void aLinkInsideTheTreeIsRemovedButNotWhatItPointsTo() throws Exception {
        Path outside = tmp.resolve("outside");
        Files.createDirectories(outside.resolve("deeper"));
        Files.writeString(outside.resolve("secret"), "keep me");
        Files.writeString(outside.resolve("deeper/also"), "keep me too");
        Path root = tmp.resolve("data.old-1");
        Files.createDirectories(root.resolve("base"));
        Files.createSymbolicLink(root.resolve("base/link-to-dir"), outside);
        Files.createSymbolicLink(root.resolve("link-to-file"), outside.resolve("secret"));
        Files.createSymbolicLink(root.resolve("dangling"), tmp.resolve("nowhere"));

        FileTrees.delete(root);

        assertThat(root).doesNotExist();
        assertThat(outside.resolve("secret")).hasContent("keep me");
        assertThat(outside.resolve("deeper/also")).hasContent("keep me too");
    }

    @Test
    void aRootThatIsALinkLosesTheLinkOnly() throws Exception {
        Path outside = tmp.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("secret"), "keep me");
        Path link = tmp.resolve("scratch");
        Files.createSymbolicLink(link, outside);

        FileTrees.deleteContents(link);
        assertThat(outside.resolve("secret")).hasContent("keep me");

        FileTrees.delete(link);
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(outside.resolve("secret")).hasContent("keep me");
    }

    @Test
    void deleteContentsKeepsTheDirectory() throws Exception {
        Path root = tmp.resolve("data");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/f"), "x");
        Files.writeString(root.resolve("g"), "y");

        FileTrees.deleteContents(root);

        assertThat(root).isEmptyDirectory();
    }
}
