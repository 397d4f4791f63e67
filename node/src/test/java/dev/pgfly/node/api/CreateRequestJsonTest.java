package dev.pgfly.node.api;

import dev.pgfly.backup.store.StoreSettings;
import dev.pgfly.core.util.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the CLI sends is what the node's API accepts: the API reads bodies strictly (an unknown field is
 * refused), so nothing derived may slip into the JSON. {@code create --backup-store DIR} once failed with
 * "unknown field 's3'" (StoreSettings.isS3 serialized as a property).
 */
class CreateRequestJsonTest {
    @Test
    void aCreateRequestWithABackupStoreSurvivesTheStrictReader() {
        CreateRequest sent = new CreateRequest("shop", "ha", null, 0, true, 0, null, 0, null,
                StoreSettings.local(Path.of("/mnt/shared/backups")), null, true);
        byte[] json = Json.bytes(sent);
        assertThat(new String(json)).doesNotContain("\"s3\"");
        CreateRequest read = Json.MAPPER.readerFor(CreateRequest.class)
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(json);
        assertThat(read).isEqualTo(sent);
    }
}
