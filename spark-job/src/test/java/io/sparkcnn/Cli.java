package io.sparkcnn;

import io.sparkcnn.cli.Main;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The job's command line as tests drive it: in this JVM through {@code Main}, or as a child process. */
public final class Cli {
    private Cli() {
    }

    /** A finished command: its exit code and what it printed. */
    public record Run(int code, String out, String err) {
        /** Standard output, then standard error. */
        public String all() {
            return out + err;
        }
    }

    /** Runs a command in this JVM exactly as {@code Main} does, capturing standard output and error. */
    public static Run run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    /** As {@link #run(List)}. */
    public static Run run(String... args) {
        return run(List.of(args));
    }

    /**
     * Reads a child process's output line by line until a line contains {@code marker}; everything read is appended
     * to {@code seen}. The rest of the output stays unread (the caller kills the process or reads on).
     *
     * @return whether the marker came within {@code minutes}, before the output ended
     */
    public static boolean awaitLine(Process process, String marker, long minutes, StringBuilder seen)
            throws InterruptedException, ExecutionException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Boolean> found = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    seen.append(line).append('\n');
                    if (line.contains(marker)) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        try {
            return found.get(minutes, TimeUnit.MINUTES);
        } catch (TimeoutException e) {
            return false;
        }
    }
}
