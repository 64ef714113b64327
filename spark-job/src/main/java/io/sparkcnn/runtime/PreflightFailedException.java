package io.sparkcnn.runtime;

import java.util.List;

/**
 * The pre-flight check found the cluster's environment unfit for the job ({@link Preflight}): every fatal
 * finding is in the message, one per line, each naming the executor and the setting to change.
 */
public final class PreflightFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final List<Preflight.Finding> findings;

    public PreflightFailedException(List<Preflight.Finding> fatal) {
        super("the cluster's environment is unfit for the job (pre-flight check, " + fatal.size() + " fatal finding"
                + (fatal.size() == 1 ? "" : "s") + "; preflight.enabled=false skips the check):\n  - "
                + String.join("\n  - ", fatal.stream().map(Preflight.Finding::message).toList()));
        this.findings = List.copyOf(fatal);
    }

    /** The fatal findings, in the order found. */
    public List<Preflight.Finding> findings() {
        return findings;
    }
}
