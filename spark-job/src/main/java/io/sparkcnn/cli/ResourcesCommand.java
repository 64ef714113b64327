package io.sparkcnn.cli;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.runtime.MemoryPlan;
import org.apache.spark.network.util.JavaUtils;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * Prints the executor memory settings the job's network and batch size call for ({@link MemoryPlan}), for a
 * submit script to pass on. No Spark context and no native library: it reads the configuration and builds the
 * network's configuration only.
 *
 * <p>Output: one {@code key=value} per line, nothing else on standard output, in three kinds:</p>
 * <ul>
 *   <li>{@code spark.*}: a Spark setting, to pass verbatim as {@code --conf key=value}
 *   ({@code spark.executor.memoryOverhead=NNNm});</li>
 *   <li>{@code executor.java-options}: JVM options (JavaCPP's {@code maxbytes} and {@code maxphysicalbytes} in
 *   bytes) to append to {@code spark.executor.extraJavaOptions}, beside the job's own options;</li>
 *   <li>{@code plan.*}: the figures behind them (bytes unless the key says otherwise), for logs.</li>
 * </ul>
 * A value never contains a newline; only {@code executor.java-options} contains spaces.
 */
@Command(name = "resources", mixinStandardHelpOptions = true,
        description = "Print the executor memory settings (spark.executor.memoryOverhead, JavaCPP off-heap limits) "
                + "that the configured network and batch size need, as key=value lines, without starting Spark.")
final class ResourcesCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @Option(names = "--executor-memory", paramLabel = "SIZE", defaultValue = "1g",
            description = "Executor heap as spark-submit takes it, e.g. 2g or 1536m (default: ${DEFAULT-VALUE}, Spark's default).")
    String executorMemory;

    @Option(names = "--executor-cores", paramLabel = "N", defaultValue = "1",
            description = "Cores per executor (default: ${DEFAULT-VALUE}).")
    int executorCores;

    @Option(names = "--task-cpus", paramLabel = "N", defaultValue = "1",
            description = "Cores per task, spark.task.cpus (default: ${DEFAULT-VALUE}).")
    int taskCpus;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        long heapMib;
        try {
            heapMib = JavaUtils.byteStringAsMb(executorMemory);
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--executor-memory must be a size such as 2g "
                    + "or 1536m, got '" + executorMemory + "'");
        }
        if (heapMib < 1 || executorCores < 1 || taskCpus < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--executor-memory, --executor-cores and --task-cpus must be positive");
        }
        JobConfig cfg = options.load();
        MemoryPlan plan = MemoryPlan.forJob(cfg);
        MemoryPlan.Recommendation r = plan.recommend(heapMib * MemoryPlan.MIB, executorCores, taskCpus);
        PrintWriter out = spec.commandLine().getOut();
        out.println("spark.executor.memoryOverhead=" + r.memoryOverhead());
        out.println("executor.java-options=" + r.javaOptions());
        out.println("plan.model=" + cfg.model().name());
        out.println("plan.parameters=" + plan.parameters());
        out.println("plan.batch-size-per-worker=" + plan.batchSize());
        out.println("plan.executor-memory-bytes=" + r.heapBytes());
        out.println("plan.tasks-per-executor=" + r.tasksPerExecutor());
        out.println("plan.per-task-bytes=" + plan.perTaskBytes());
        out.println("plan.per-executor-bytes=" + plan.perExecutorBytes());
        out.println("plan.native-margin-bytes=" + MemoryPlan.NATIVE_MARGIN_BYTES);
        out.println("plan.offheap-bytes=" + r.offHeapBytes());
        out.println("plan.jvm-overhead-bytes=" + r.jvmOverheadBytes());
        out.flush();
        return ExitCodes.OK;
    }
}
