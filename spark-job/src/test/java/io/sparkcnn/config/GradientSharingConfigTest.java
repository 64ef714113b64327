package io.sparkcnn.config;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train.approach} and {@code train.sharing.*}: defaults, a valid choice, and every error at once. */
@Tag("unit")
class GradientSharingConfigTest {
    @Test
    void parameterAveragingIsTheDefaultAndTheSharingDefaultsBindToLoopback() {
        TrainConfig train = ConfigLoader.load(null, List.of()).train();
        assertEquals(TrainConfig.PARAMETER_AVERAGING, train.approach());
        assertFalse(train.gradientSharing());
        assertEquals(GradientSharingConfig.DEFAULTS, train.sharing());
        assertEquals("127.0.0.1", train.sharing().controllerAddress());
    }

    @Test
    void gradientSharingIsSelectedWithItsSettings() {
        TrainConfig train = ConfigLoader.load(null, List.of("train.approach=gradient-sharing",
                "train.sharing.threshold=1e-3", "train.sharing.port=41000")).train();
        assertTrue(train.gradientSharing());
        assertEquals(new GradientSharingConfig(1e-3, "127.0.0.1", 41000), train.sharing());
    }

    @Test
    void everyBadSettingIsReportedTogether() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "train.approach=allreduce", "train.sharing.threshold=0", "train.sharing.controller-address=",
                "train.sharing.port=70000")));
        assertEquals(List.of(
                "train.approach must be one of [parameter-averaging, gradient-sharing], got 'allreduce'",
                "train.sharing.threshold must be > 0, got 0.0",
                "train.sharing.controller-address must not be empty",
                "train.sharing.port must be in [1, 65535], got 70000"), e.errors());
    }
}
