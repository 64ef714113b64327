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
 * every task that ended during the phase (a listener on the driver).
 */
public final class ThroughputMeter extends SparkListener {
    private final SparkContext sc;
    private final boolean local;
    private final LongAdder taskCpuNanos = new LongAdder();
    private volatile boolean running;
    private long wallStart;
    private long cpuStart;

    public ThroughputMeter(SparkContext sc) {
        this.sc = sc;
        this.local = sc.isLocal();
    }

    /** Starts measuring and listening to task ends. */
    public void start() {
        sc.addSparkListener(this);
        taskCpuNanos.reset();
        wallStart = System.nanoTime();
        cpuStart = processCpuNanos();
        running = true;
    }

    /** Stops measuring and listening; {@code images} is the number of images processed since {@link #start()}. */
    public Throughput stop(long images) {
        running = false;
        sc.removeSparkListener(this);
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double cpu = (processCpuNanos() - cpuStart) / 1e9;
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
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
