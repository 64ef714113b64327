package io.sparkcnn.config;

/**
 * Where results go.
 *
 * @param path      output directory (Hadoop path); it will hold {@code model.zip}, {@code evaluation.json}
 *                  and {@code run.json}
 * @param overwrite replace an existing output directory; otherwise an existing one is an error
 */
public record OutputConfig(String path, boolean overwrite) {
}
