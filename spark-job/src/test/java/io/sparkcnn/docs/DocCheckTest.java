package io.sparkcnn.docs;

import io.sparkcnn.TestData;
import io.sparkcnn.cli.Main;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manual against the code: every relative link of the README and {@code docs/} (and the other pages of the
 * repository) points at a file that exists, and at a heading of it when it names one; every command line in
 * them names a script that exists and a subcommand and options the job's command line accepts; and the README's
 * fast ones ({@code show-config}, {@code --print-command}, {@code --help}) run for real through
 * {@code submit-scripts/run-local.sh}.
 */
@Tag("unit")
class DocCheckTest {
    private static final Pattern LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern FENCE = Pattern.compile("^\\s*```");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final String RUN_LOCAL = "submit-scripts/run-local.sh";

    private final Path root = TestData.projectRoot();

    /** The Markdown pages of the repository: the README, {@code docs/} and the README-like pages beside the code. */
    private List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md")));
        for (String dir : List.of("docs", "conf", "datasets", "notebooks-export", "submit-scripts")) {
            try (Stream<Path> files = Files.walk(root.resolve(dir))) {
                files.filter(f -> f.toString().endsWith(".md") && !f.startsWith(root.resolve("datasets/cache")))
                        .sorted().forEach(pages::add);
            }
        }
        return pages;
    }

    @Test
    void everyRelativeLinkPointsAtAFileAndHeadingThatExist() throws IOException {
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path page : pages()) {
            List<String> found = brokenLinks(page, Files.readString(page));
            broken.addAll(found);
            links += relativeLinks(Files.readString(page)).size();
        }
        assertTrue(links > 50, "the pages link each other: " + links + " relative links found");
        assertTrue(broken.isEmpty(), "broken links:\n" + String.join("\n", broken));
    }

    @Test
    void theLinkCheckFindsAMissingFileAHeadingAndALinkOutOfTheRepository() throws IOException {
        Path readme = root.resolve("README.md");
        String page = "# Title\n\nSee [the manual](docs/README.md), [a gone page](docs/gone.md), [a heading](#title), "
                + "[no heading](#nowhere), [the stack](../../shared/STACK.md) and [a site](https://example.org/x).\n"
                + "```\n[not a link in code](nowhere.md)\n```\n";
        List<String> broken = brokenLinks(readme, page);
        assertEquals(3, broken.size(), String.join("\n", broken));
        assertTrue(broken.get(0).contains("docs/gone.md") && broken.get(0).contains("no such file"), broken.get(0));
        assertTrue(broken.get(1).contains("#nowhere") && broken.get(1).contains("no heading"), broken.get(1));
        assertTrue(broken.get(2).contains("outside the repository"), broken.get(2));
        assertEquals("the-lecture-as-configuration-padding-and-l_p", slug("The lecture as configuration: padding "
                + "and `L_p`"));
        assertEquals("pre-flight-check-and-memory-plan-resources", slug("Pre-flight check and memory plan: [`resources`](x.md)"));
    }

    @Test
    void everyCommandInThePagesNamesAScriptAndACommandLineTheJobAccepts() throws IOException {
        List<List<String>> commands = new ArrayList<>();
        for (Path page : pages()) {
            commands.addAll(commands(Files.readString(page)));
        }
        assertTrue(commands.size() >= 10, "the pages show their commands: " + commands);
        Set<String> subcommands = Main.commandLine().getSubcommands().keySet();
        Matcher accepted = Pattern.compile("(?m)^\\s*((?:[a-z-]+\\|)+[a-z-]+)\\) command=\\$1")
                .matcher(Files.readString(root.resolve(RUN_LOCAL)));
        assertTrue(accepted.find(), "run-local.sh lists the commands it takes");
        List<String> runLocal = List.of(accepted.group(1).split("\\|"));
        List<String> wrong = new ArrayList<>();
        for (List<String> words : commands) {
            Path script = root.resolve(words.get(0));
            if (!Files.isRegularFile(script) || !Files.isExecutable(script)) {
                wrong.add(words + ": no executable script " + words.get(0));
                continue;
            }
            List<String> job = jobArguments(withoutOptionalParts(words));
            if (job == null) {
                continue;
            }
            if (!job.isEmpty() && !job.get(0).startsWith("-") && (!subcommands.contains(job.get(0))
                    || words.get(0).equals(RUN_LOCAL) && !runLocal.contains(job.get(0)))) {
                wrong.add(words + ": no command " + job.get(0) + " (the job has " + subcommands + ")");
                continue;
            }
            try {
                Main.commandLine().parseArgs(job.isEmpty() || job.get(0).startsWith("-")
                        ? withTrain(job) : job.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                wrong.add(words + ": " + e.getMessage());
            }
        }
        assertTrue(wrong.isEmpty(), "commands in the pages that the job does not accept:\n" + String.join("\n", wrong));
    }

    @Test
    void theReadmesFastCommandsRun() throws Exception {
        List<List<String>> fast = commands(Files.readString(root.resolve("README.md"))).stream()
                .filter(w -> w.get(0).equals(RUN_LOCAL) && (w.contains("show-config") || w.contains("--help")
                        || w.contains("--print-command"))).toList();
        assertTrue(fast.size() >= 3, "show-config, --help and --print-command are in the README: " + fast);
        for (List<String> words : fast) {
            Process p = script(words);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(2, TimeUnit.MINUTES), words + " ended");
            assertEquals(0, p.exitValue(), words + ":\n" + out);
            String expected = words.contains("--print-command") ? "io.sparkcnn.cli.Main"
                    : words.contains("--help") ? "Usage: spark-cnn-trainer " : "Network ";
            assertTrue(out.contains(expected), words + " printed no '" + expected + "':\n" + out);
        }
    }

    /** Runs a README command line with the job's classes from this JVM's class path (no Maven inside the build). */
    private Process script(List<String> words) throws IOException {
        List<String> cmd = new ArrayList<>(words);
        cmd.set(0, root.resolve(words.get(0)).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().put("JOB_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("DRIVER_MEMORY", "1g");
        return pb.start();
    }

    /**
     * The job's own arguments in a command line: after {@code run-local.sh} without its {@code --master} and
     * {@code --print-command}, after {@code --} of {@code submit.sh}; {@code null} for scripts with options of
     * their own only ({@code dev-cluster.sh}, {@code retrain.sh}, {@code run-tests.sh}).
     */
    static List<String> jobArguments(List<String> words) {
        List<String> job = new ArrayList<>();
        if (words.get(0).equals(RUN_LOCAL)) {
            for (int i = 1; i < words.size(); i++) {
                if (words.get(i).equals("--master")) {
                    i++;
                } else if (!words.get(i).equals("--print-command") && !words.get(i).startsWith("--master=")) {
                    job.add(words.get(i));
                }
            }
            return job;
        }
        if (words.get(0).equals("submit-scripts/submit.sh")) {
            int dashes = words.indexOf("--");
            return dashes < 0 ? List.of() : new ArrayList<>(words.subList(dashes + 1, words.size()));
        }
        return null;
    }

    /** A synopsis's words without its optional parts ({@code [--json FILE]}, nested brackets too). */
    static List<String> withoutOptionalParts(List<String> words) {
        List<String> kept = new ArrayList<>();
        int depth = 0;
        for (String word : words) {
            boolean optional = depth > 0 || word.startsWith("[");
            depth += word.chars().filter(c -> c == '[').count() - word.chars().filter(c -> c == ']').count();
            if (!optional) {
                kept.add(word);
            }
        }
        return kept;
    }

    private static String[] withTrain(List<String> options) {
        List<String> all = new ArrayList<>(List.of("train"));
        all.addAll(options);
        return all.toArray(String[]::new);
    }

    /**
     * The command lines in the fenced code blocks of {@code page} that start with {@code submit-scripts/}, split
     * into words as the shell does (quotes, backslash-newline, comments), with variables left as written.
     */
    static List<List<String>> commands(String page) {
        List<List<String>> commands = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String raw : lines(page, true)) {
            line.append(raw.strip());
            if (raw.endsWith("\\")) {
                line.setLength(line.length() - 1);
                line.append(' ');
                continue;
            }
            List<String> words = words(line.toString());
            line.setLength(0);
            if (!words.isEmpty() && words.get(0).startsWith("submit-scripts/")) {
                commands.add(words);
            }
        }
        return commands;
    }

    /** The lines of {@code page} inside fenced code blocks ({@code code}) or outside them, fences left out. */
    static List<String> lines(String page, boolean code) {
        List<String> kept = new ArrayList<>();
        boolean inside = false;
        for (String line : page.split("\n", -1)) {
            if (FENCE.matcher(line).find()) {
                inside = !inside;
            } else if (inside == code) {
                kept.add(line);
            }
        }
        return kept;
    }

    /** Shell words: single and double quotes grouped and removed, everything from an unquoted {@code #} dropped. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else if (c == '#' && word == null) {
                break;
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /** The relative links of a page outside code blocks and code spans: {@code [text](target)} targets. */
    static List<String> relativeLinks(String page) {
        List<String> links = new ArrayList<>();
        for (String line : lines(page, false)) {
            Matcher m = LINK.matcher(line.replaceAll("`[^`]*`", "``"));
            while (m.find()) {
                String target = m.group(2);
                if (!target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                    links.add(target);
                }
            }
        }
        return links;
    }

    /** What is wrong with each relative link of {@code page} (at {@code file}), one line each. */
    private List<String> brokenLinks(Path file, String page) throws IOException {
        List<String> broken = new ArrayList<>();
        for (String link : relativeLinks(page)) {
            int hash = link.indexOf('#');
            String path = hash < 0 ? link : link.substring(0, hash);
            String anchor = hash < 0 ? null : link.substring(hash + 1);
            Path target = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
            String where = root.relativize(file) + ": (" + link + ")";
            if (!target.startsWith(root)) {
                broken.add(where + " points outside the repository");
            } else if (!Files.exists(target)) {
                broken.add(where + ": no such file " + root.relativize(target));
            } else if (anchor != null && !anchor.isEmpty() && target.toString().endsWith(".md")
                    && !anchors(path.isEmpty() ? page : Files.readString(target)).contains(anchor)) {
                broken.add(where + ": no heading with the anchor #" + anchor + " in " + root.relativize(target));
            }
        }
        return broken;
    }

    /** The anchors a code host gives the headings of a page, with {@code -1}, {@code -2}... for repeated ones. */
    static Set<String> anchors(String page) {
        Set<String> anchors = new LinkedHashSet<>();
        for (String line : lines(page, false)) {
            Matcher m = HEADING.matcher(line);
            if (m.matches()) {
                String slug = slug(m.group(1));
                String unique = slug;
                for (int n = 1; anchors.contains(unique); n++) {
                    unique = slug + "-" + n;
                }
                anchors.add(unique);
            }
        }
        return anchors;
    }

    /** A heading's anchor as GitHub makes it: the text of links and code, lower case, punctuation dropped, spaces as -. */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
