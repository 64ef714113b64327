package io.sparkcnn.train;

import org.apache.spark.SparkContext;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures wall time and CPU time of a phase. In local mode the executors run inside the driver's JVM, so
 * the process's own CPU time counts everything; on a cluster it adds the CPU time that Spark measured for
 * every task that ended during the phase (a listener on the driver). {@link #pause()} and {@link #resume()} leave
 * out work inside the phase that is not part of it (the per-epoch evaluations of the training history).
 */
public final class ThroughputMeter extends SparkListener {
    private final SparkContext sc;
    private final boolean local;
    private final LongAdder taskCpuNanos = new LongAdder();
    private volatile boolean running;
    private long wallStart;
    private long cpuStart;
    private long wallBefore;
    private long cpuBefore;

    public ThroughputMeter(SparkContext sc) {
        this.sc = sc;
        this.local = sc.isLocal();
    }

    /** Starts measuring and listening to task ends. */
    public void start() {
        sc.addSparkListener(this);
        taskCpuNanos.reset();
        wallBefore = 0;
        cpuBefore = 0;
        running = false;
        resume();
    }

    /** Stops counting time (and tasks that end) until {@link #resume()}. */
    public void pause() {
        if (running) {
            running = false;
            wallBefore += System.nanoTime() - wallStart;
            cpuBefore += processCpuNanos() - cpuStart;
        }
    }

    /** Counts time again after {@link #pause()}. */
    public void resume() {
        if (!running) {
            wallStart = System.nanoTime();
            cpuStart = processCpuNanos();
            running = true;
        }
    }

    /**
     * Stops measuring and listening; {@code images} is the number of images processed since {@link #start()}, and
     * the times are those between {@link #start()} and now less the pauses.
     */
    public Throughput stop(long images) {
        pause();
        sc.removeSparkListener(this);
        double wall = wallBefore / 1e9;
        double cpu = cpuBefore / 1e9;
        if (local) {
            return new Throughput(images, wall, cpu, "process");
        }
        return new Throughput(images, wall, cpu + taskCpuNanos.sum() / 1e9, "driver+tasks");
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
        TaskMetrics m = taskEnd.taskMetrics();
        if (running && m != null) {
            taskCpuNanos.add(m.executorCpuTime());
        }
    }

    /** CPU time of this JVM process, all threads, in nanoseconds. */
    public static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
