package io.sparkcnn.config;

/**
 * Gradient sharing (DL4J's SharedTrainingMaster): workers send threshold-encoded updates to each other through the
 * driver (Aeron over UDP) while they train, instead of averaging parameters in rounds.
 *
 * @param threshold         initial threshold of DL4J's adaptive threshold algorithm: an update element is sent when
 *                          its accumulated magnitude reaches it (the algorithm then adapts it to a sparsity of
 *                          1e-4..1e-2); > 0; DL4J's default is 1e-4
 * @param controllerAddress address the driver's parameter server listens on and the executors send to
 * @param port              UDP port of the driver's parameter server; executor {@code i} listens on
 *                          {@code port + 1 + i}, on its own address (see {@code DL4J_VOID_IP}); in 1..65535
 */
public record GradientSharingConfig(double threshold, String controllerAddress, int port) {
    /** The defaults of reference.conf. */
    public static final GradientSharingConfig DEFAULTS = new GradientSharingConfig(1e-4, "127.0.0.1", 40123);
}
