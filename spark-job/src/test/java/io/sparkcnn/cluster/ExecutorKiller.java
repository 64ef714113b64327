package io.sparkcnn.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills an executor with SIGKILL while it runs a task of an averaging round, and checks in the driver's event log
 * that Spark failed that task and ran it again elsewhere. Used by the standalone tier (the executor dies with its
 * worker) and the YARN tier (the executor's container dies).
 * <p>
 * The kill cannot race with the task's end, because it is decided on the executor's own record, read after the
 * executor has been stopped, not on the driver's view:
 * <ol>
 * <li>The executor writes its task lines to {@code tasks.log} ({@link #TASKS_LOG}). Spark's executor logs
 * "Finished task … (TID n)" before it hands task n's result and FINISHED status to the driver
 * ({@code Executor.TaskRunner.run}), and the appender has written the line to the file when the logging call
 * returns. So while that line is absent, nothing of task n's result has been sent to the driver.</li>
 * <li>A candidate is a task whose "Running task … (TID n)" line is in {@code tasks.log} with no later line for
 * TID n, in a stage whose description, read from the driver's REST API, is an averaging round ("epoch E/N,
 * round R/M …").</li>
 * <li>The process group holding the executor is stopped with SIGSTOP, and the killer waits until {@code /proc}
 * shows every thread of those processes stopped (kill(1) may return before they are): from then on the executor
 * can neither log nor send anything.</li>
 * <li>{@code tasks.log} is read again. If TID n still has no line but "Running", the executor had not begun to
 * send its result when it stopped; it is never resumed but killed, so the driver can never receive a result for
 * task n: it holds the task as running until it loses the executor, then fails it ({@code ExecutorLostFailure})
 * and runs it again on another executor. If a line came meanwhile, the group is resumed (SIGCONT) and the
 * search goes on.</li>
 * </ol>
 * Neither how long a task or a round lasts nor how far the driver's REST API lags behind can make the kill miss
 * the task: timing only decides how many tries it takes. {@link #assertLostTasksRanAgainElsewhere} checks the
 * consequence in the event log: task n failed.
 */
final class ExecutorKiller {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorKiller.class);

    /**
     * What the killer adds to the cluster's own executor logging ({@code conf/log4j2.properties} of the cluster's
     * {@code SPARK_HOME}: INFO to standard error): the lines of Spark's {@code Executor} (among them "Running task …
     * (TID n)" and "Finished task … (TID n)"), written by the executor JVM itself to {@code tasks.log} in its
     * working directory, flushed to the file before each logging call returns.
     */
    static final String TASKS_LOG = """
            appender.tasks.type = File
            appender.tasks.name = tasks
            appender.tasks.fileName = tasks.log
            appender.tasks.immediateFlush = true
            appender.tasks.layout.type = PatternLayout
            appender.tasks.layout.pattern = %d{HH:mm:ss.SSS} %-5level %msg%n
            logger.executor.name = org.apache.spark.executor.Executor
            logger.executor.level = info
            logger.executor.appenderRef.tasks.ref = tasks
            """;

    /**
     * What a job needs for the killer, in the cluster's directory: the folder of its driver's event log, the port of
     * its driver's UI (REST API), and the {@code --conf} settings that give it both and add {@link #TASKS_LOG} to
     * its executors' logging.
     */
    record Setup(Path events, int uiPort, List<String> confs) {
        static Setup in(DevCluster cluster) throws IOException {
            Path events = Files.createDirectories(cluster.dir.resolve("events"));
            Path logging = Files.writeString(cluster.dir.resolve("executor-log4j2.properties"), Files.readString(
                    Path.of(cluster.env.get("SPARK_HOME"), "conf", "log4j2.properties")) + TASKS_LOG);
            int uiPort;
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                uiPort = s.getLocalPort();
            }
            return new Setup(events, uiPort, List.of("spark.eventLog.enabled=true", "spark.eventLog.dir=" + events.toUri(),
                    "spark.ui.enabled=true", "spark.ui.port=" + uiPort,
                    "spark.executor.defaultJavaOptions=-Dlog4j2.configurationFile=" + logging));
        }
    }

    /** An executor of the application: its id, its {@code tasks.log}, and the process group that holds it. */
    record Executor(String id, Path tasksLog, String processGroup, String description) {
    }

    /** Where the executors of an application are, by its id; those not started yet are left out. */
    interface Executors {
        List<Executor> of(String applicationId) throws IOException;
    }

    /** What was killed: an executor, and the training task it was running. */
    record Killed(String executor, long taskId) {
    }

    /** An executor's "Running task 0.0 in stage 7.0 (TID 12)": the stage and the task id. */
    private static final Pattern TASK_STARTED = Pattern.compile("Running task \\S+ in stage (\\d+)\\.\\d+ \\(TID (\\d+)\\)");
    /** Any executor line about a task: its id. */
    private static final Pattern TASK_LINE = Pattern.compile("\\(TID (\\d+)\\)");
    /** The description of an averaging round's job and stage (see {@code ProgressReporter.describeRound}). */
    private static final Pattern ROUND = Pattern.compile("epoch \\d+/\\d+, round \\d+/\\d+ .*");

    private ExecutorKiller() {
    }

    /**
     * Kills an executor of the job whose driver's UI listens on {@code uiPort} while it runs a task of an averaging
     * round, as the class comment says; returns the executor's id and the task's.
     */
    static Killed killAnExecutorRunningATask(int uiPort, Process job, Executors executors) throws Exception {
        String api = "http://127.0.0.1:" + uiPort + "/api/v1/applications";
        Map<Long, Boolean> roundStages = new HashMap<>();
        int tries = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < deadline && job.isAlive()) {
            String app;
            try {
                app = DevCluster.get(api).get(0).get("id").asText();
            } catch (IOException | NullPointerException e) {
                Thread.sleep(200);  // the driver's UI is not up yet
                continue;
            }
            for (Executor executor : executors.of(app)) {
                long[] candidate = runningTask(executor.tasksLog());
                if (candidate == null || !Boolean.TRUE.equals(roundStages.computeIfAbsent(candidate[0],
                        stage -> isRound(api + "/" + app + "/stages/" + stage + "?details=false")))) {
                    continue;
                }
                signal("STOP", executor.processGroup());
                tries++;
                if (awaitStopped(executor.processGroup()) && stillRunning(executor.tasksLog(), candidate[1])) {
                    LOG.info("Killing {} (process group {}): its executor {} is stopped in task TID {} of stage {}, "
                            + "whose result it has not sent (stop {} of the search; the group was resumed after each earlier one)",
                            executor.description(), executor.processGroup(), executor.id(), candidate[1], candidate[0], tries);
                    signal("KILL", executor.processGroup());
                    return new Killed(executor.id(), candidate[1]);
                }
                signal("CONT", executor.processGroup());
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no executor was seen running a task of an averaging round");
    }

    /**
     * Checks the driver's event logs in {@code events}: tasks failed, the killed task among them, only on the killed
     * executor, and each ran again successfully on another executor. Returns how many failed.
     */
    static int assertLostTasksRanAgainElsewhere(Path events, Killed killed) throws IOException {
        List<JsonNode> taskEnds = new ArrayList<>();
        try (Stream<Path> logs = Files.list(events)) {
            for (Path log : logs.toList()) {
                for (String line : Files.readAllLines(log)) {
                    JsonNode event = new ObjectMapper().readTree(line);
                    if (event.get("Event").asText().equals("SparkListenerTaskEnd")) {
                        taskEnds.add(event);
                    }
                }
            }
        }
        List<JsonNode> lost = taskEnds.stream()
                .filter(e -> !e.at("/Task End Reason/Reason").asText().equals("Success")).toList();
        assertFalse(lost.isEmpty(), "tasks failed when the executor died");
        assertTrue(lost.stream().anyMatch(e -> e.at("/Task Info/Task ID").asLong() == killed.taskId()),
                "the task running when the executor was killed failed: " + killed);
        for (JsonNode failure : lost) {
            assertEquals(killed.executor(), failure.at("/Task Info/Executor ID").asText(),
                    "only the killed executor's tasks failed");
            boolean reRun = taskEnds.stream().anyMatch(e -> e.at("/Task End Reason/Reason").asText().equals("Success")
                    && e.get("Stage ID").asInt() == failure.get("Stage ID").asInt()
                    && e.at("/Task Info/Index").asInt() == failure.at("/Task Info/Index").asInt()
                    && !e.at("/Task Info/Executor ID").asText().equals(killed.executor()));
            assertTrue(reRun, "Spark re-ran the lost task " + failure.at("/Task Info"));
        }
        return lost.size();
    }

    /**
     * The stage and the id of the last task in an executor's {@code tasks.log} that started and has no line since
     * (neither "Finished" nor a failure), or null.
     */
    private static long[] runningTask(Path tasks) throws IOException {
        if (!Files.exists(tasks)) {
            return null;
        }
        long[] running = null;
        for (String line : Files.readAllLines(tasks)) {
            Matcher started = TASK_STARTED.matcher(line);
            Matcher any = TASK_LINE.matcher(line);
            if (started.find()) {
                running = new long[] {Long.parseLong(started.group(1)), Long.parseLong(started.group(2))};
            } else if (running != null && any.find() && Long.parseLong(any.group(1)) == running[1]) {
                running = null;
            }
        }
        return running;
    }

    /** Whether task {@code tid} has no line in {@code tasks.log} but its "Running task" line. */
    private static boolean stillRunning(Path tasks, long tid) throws IOException {
        for (String line : Files.readAllLines(tasks)) {
            Matcher any = TASK_LINE.matcher(line);
            if (any.find() && Long.parseLong(any.group(1)) == tid && !TASK_STARTED.matcher(line).find()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the driver's REST API describes the stage at {@code url} as an averaging round; null while it does not
     * know the stage yet.
     */
    private static Boolean isRound(String url) {
        try {
            JsonNode attempts = DevCluster.get(url);
            if (!attempts.isArray() || attempts.isEmpty()) {
                return null;
            }
            return ROUND.matcher(attempts.get(0).path("description").asText()).matches();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Waits up to 30 s until every thread of process {@code pid} and of its descendants is stopped (state T in
     * {@code /proc/PID/task/TID/stat}, or ended); false if one is still not.
     */
    private static boolean awaitStopped(String pid) throws Exception {
        ProcessHandle root = ProcessHandle.of(Long.parseLong(pid)).orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (allStopped(root)) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static boolean allStopped(ProcessHandle root) throws IOException {
        List<ProcessHandle> processes = new ArrayList<>(List.of(root));
        try (Stream<ProcessHandle> descendants = root.descendants()) {
            processes.addAll(descendants.toList());
        }
        for (ProcessHandle p : processes) {
            List<Path> threads;
            try (Stream<Path> all = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
                threads = all.toList();
            } catch (NoSuchFileException e) {
                continue;  // the process has ended
            }
            for (Path thread : threads) {
                String stat;
                try {
                    stat = Files.readString(thread.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue;  // the thread has ended
                }
                // "tid (comm) state …": comm may hold spaces and parentheses; the state follows the last ')'
                char state = stat.charAt(stat.lastIndexOf(')') + 2);
                if ("TtZX".indexOf(state) < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Sends a signal to a whole process group. */
    private static void signal(String name, String pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, "--", "-" + pid).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + name + " -" + pid);
    }
}
