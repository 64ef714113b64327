package io.sparkcnn.cli;

import io.sparkcnn.config.InvalidConfigException;
import io.sparkcnn.data.InvalidDataException;
import io.sparkcnn.runtime.PreflightFailedException;
import io.sparkcnn.store.OutputException;
import io.sparkcnn.train.TrainingFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Process exit codes of the job, also listed in docs/running.md, and the one place exceptions become them. */
public final class ExitCodes {
    /** The job finished and saved its output. */
    public static final int OK = 0;
    /** An unexpected internal error (a bug, or the environment failed in a way not covered below). */
    public static final int INTERNAL = 1;
    /** Bad command line or configuration; nothing was started. */
    public static final int BAD_CONFIG = 2;
    /** Bad input data (missing file, wrong format or values); found before any training. */
    public static final int BAD_DATA = 3;
    /** Training or evaluation failed (a Spark job failed, the loss diverged). */
    public static final int TRAINING_FAILED = 4;
    /** The output cannot be written (exists already, not writable, write failed); nothing half-written is left. */
    public static final int OUTPUT_FAILED = 5;
    /** The cluster's environment is unfit for the job, found by the pre-flight check before the first epoch. */
    public static final int ENVIRONMENT_UNFIT = 6;

    private static final Logger LOG = LoggerFactory.getLogger(ExitCodes.class);

    private ExitCodes() {
    }

    /**
     * picocli's handler for an exception out of any command: one line on standard error, prefixed with the
     * program's name, and the exit code of the exception's kind (the stack trace at DEBUG).
     */
    static int handle(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        int code;
        String message;
        if (e instanceof InvalidConfigException) {
            code = BAD_CONFIG;
            message = e.getMessage();
        } else if (e instanceof InvalidDataException) {
            code = BAD_DATA;
            message = "bad input data: " + e.getMessage();
        } else if (e instanceof TrainingFailedException) {
            code = TRAINING_FAILED;
            message = e.getMessage();
        } else if (e instanceof PreflightFailedException) {
            code = ENVIRONMENT_UNFIT;
            message = e.getMessage();
        } else if (e instanceof OutputException) {
            code = OUTPUT_FAILED;
            message = "output failed: " + e.getMessage();
        } else { // Scala code may throw checked exceptions undeclared
            code = INTERNAL;
            message = "internal error: " + e;
        }
        LOG.debug("Failure details", e);
        commandLine.getErr().println("spark-cnn-trainer: " + message);
        commandLine.getErr().flush();
        return code;
    }
}
