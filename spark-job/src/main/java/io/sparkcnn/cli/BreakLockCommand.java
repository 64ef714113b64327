package io.sparkcnn.cli;

import io.sparkcnn.store.ModelRegistry;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Removes the lock a dead run left on a registry ({@code output.path}); the registry cannot tell dead from slow. */
@Command(name = "break-lock", mixinStandardHelpOptions = true,
        description = "Remove the lock of the registry at output.path, left by a run that died. Make sure no run "
                + "is still publishing there.")
final class BreakLockCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ModelRegistry registry = new ModelRegistry(new Configuration(), options.load().output().path());
        registry.breakLock();
        spec.commandLine().getOut().println("No lock on " + registry.location() + " now.");
        return ExitCodes.OK;
    }
}
