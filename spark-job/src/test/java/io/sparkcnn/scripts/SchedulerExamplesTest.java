package io.sparkcnn.scripts;

import io.sparkcnn.TestData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scheduler examples in {@code submit-scripts/examples/} (cron, systemd, Airflow): the {@code retrain.sh}
 * command each one runs, taken from the file, run as the scheduler would run it from the checkout, with
 * {@code --print-command} added, gives the cluster path: a {@code spark-submit} to YARN in cluster mode with the
 * registry's options and the job config shipped as a bundle with its includes. So a change to {@code retrain.sh}
 * or {@code submit.sh} that an example's command no longer fits fails here. Nothing is submitted (the YARN tier,
 * {@code YarnClusterTest}, runs {@code retrain.sh} against a real YARN); the job's own classes compute the memory
 * plan ({@code JOB_CLASSPATH}), so no jar is built.
 */
@Tag("unit")
class SchedulerExamplesTest {
    private static final Path ROOT = TestData.projectRoot();

    @TempDir
    Path tmp;

    /** The {@code retrain.sh} command in an example: from "submit-scripts/retrain.sh" to the end of the command. */
    private static String retrainCommand(String example) throws IOException {
        String text = Files.readString(ROOT.resolve("submit-scripts/examples").resolve(example), StandardCharsets.UTF_8);
        if (example.endsWith(".py")) {  // bash_command=( "..." "..." ): Python's adjacent literals joined
            Matcher call = Pattern.compile("bash_command=\\((.*?)\\)", Pattern.DOTALL).matcher(text);
            assertTrue(call.find(), "bash_command in " + example);
            StringBuilder joined = new StringBuilder();
            Matcher literal = Pattern.compile("\"([^\"]*)\"").matcher(call.group(1));
            while (literal.find()) {
                joined.append(literal.group(1));
            }
            text = joined.toString();
        }
        Matcher m = Pattern.compile("submit-scripts/retrain\\.sh[^\\n>]*").matcher(text);
        assertTrue(m.find(), "a retrain.sh command in " + example);
        return m.group().strip();
    }

    @ParameterizedTest
    @ValueSource(strings = {"retrain.cron", "spark-cnn-retrain.service", "airflow_retrain_dag.py"})
    void eachExampleRetrainsOnYarnInClusterMode(String example) throws Exception {
        String command = retrainCommand(example);
        Path jar = Files.writeString(tmp.resolve("job.jar"), "");
        Path hadoopConf = Files.createDirectories(tmp.resolve("hadoop-conf"));
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command + " --jar \"$JAR\" --print-command")
                .directory(ROOT.toFile());
        pb.environment().put("JAR", jar.toString());
        pb.environment().put("HADOOP_CONF_DIR", hadoopConf.toString());
        pb.environment().put("SPARK_HOME", Files.createDirectories(tmp.resolve("spark-home")).toString());
        pb.environment().put("JOB_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("OPENBLAS_CORETYPE", "HASWELL");
        Path stderr = tmp.resolve("stderr");
        Process p = pb.redirectError(stderr.toFile()).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), command + "\n" + Files.readString(stderr));

        List<String> args = words(printed);
        assertTrue(args.get(0).endsWith("/bin/spark-submit"), args.get(0));
        assertEquals("yarn", after(args, "--master"));
        assertEquals("cluster", after(args, "--deploy-mode"));
        assertTrue(args.contains("spark.yarn.maxAppAttempts=1"), "one attempt: " + args);
        String archive = after(args, "--archives");
        assertTrue(archive.endsWith("target/submit/jobconf.zip#jobconf"), archive);
        try (ZipFile zip = new ZipFile(archive.substring(0, archive.indexOf('#')))) {
            List<String> names = zip.stream().map(e -> e.getName()).sorted().toList();
            assertEquals(List.of("job.conf", "seed-cnn.conf"), names, "the config and the file it includes");
        }
        List<String> job = args.subList(args.indexOf(jar.toString()) + 1, args.size());
        assertEquals(List.of("train", "--config", "jobconf/seed-cnn.conf"), job.subList(0, 3), job.toString());
        assertTrue(job.contains("output.path=hdfs://namenode:8020/models/seed-cnn"), job.toString());
        for (String setting : List.of("output.registry=true", "model.warm-start=true", "output.promote=if-no-worse")) {
            assertTrue(job.contains(setting), setting + " in " + job);
        }
    }

    private static String after(List<String> args, String option) {
        int i = args.indexOf(option);
        assertTrue(i >= 0 && i + 1 < args.size(), option + " in " + args);
        return args.get(i + 1);
    }

    /** The words of a command printed with bash's {@code printf %q}, split by bash itself. */
    private static List<String> words(String printed) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "eval \"set -- $CMD\"; printf '%s\\0' \"$@\"");
        pb.environment().put("CMD", printed.strip());
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return new ArrayList<>(Arrays.asList(out.split("\0")));
    }
}
