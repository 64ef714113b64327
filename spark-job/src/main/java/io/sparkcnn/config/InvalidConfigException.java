package io.sparkcnn.config;

import java.util.List;

/** The configuration is unusable; {@link #errors()} lists every problem found, not just the first. */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<String> errors;

    public InvalidConfigException(List<String> errors) {
        super("invalid configuration (" + errors.size() + " error" + (errors.size() == 1 ? "" : "s") + "):\n  - "
                + String.join("\n  - ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
