package io.sparkcnn;

import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.StaticJavaParser;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.CallableDeclaration;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shape of the code that docs/development.md describes: the packages form layers, each importing only the
 * ones below it, and the training run's phases stay short.
 */
@Tag("unit")
class ArchitectureTest {
    /** The packages of {@code io.sparkcnn} from the bottom up; each may use only the ones before it. */
    static final List<String> LAYERS = List.of("common", "config", "data", "model", "runtime", "store", "frames", "eval",
            "report", "train", "predict", "ml", "bench", "cli");

    /** The classes of the training run's phases, whose methods {@link #phasesHaveShortMethods} keeps short. */
    static final Set<String> PHASES = Set.of("TrainJob", "RunState", "StartPhase", "EpochLoop", "FinishPhase");
    static final int MAX_PHASE_METHOD_LINES = 40;

    private static final Path SOURCES = Path.of("src/main/java/io/sparkcnn");

    private static JavaClasses mainClasses() {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.sparkcnn");
    }

    private static Architectures.LayeredArchitecture layers() {
        Architectures.LayeredArchitecture arch = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String layer : LAYERS) {
            arch = arch.layer(layer).definedBy("io.sparkcnn." + layer + "..");
        }
        for (int i = 0; i < LAYERS.size(); i++) {
            String[] below = LAYERS.subList(0, i).toArray(String[]::new);
            arch = i == 0 ? arch.whereLayer(LAYERS.get(i)).mayNotAccessAnyLayer()
                    : arch.whereLayer(LAYERS.get(i)).mayOnlyAccessLayers(below);
        }
        return arch;
    }

    @Test
    void noPackageUsesOneAboveIt() {
        JavaClasses classes = mainClasses();
        try (Stream<Path> dirs = Files.list(SOURCES)) {
            List<String> packages = dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(LAYERS.stream().sorted().toList(), packages, "every package has its place in LAYERS");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        EvaluationResult result = layers().evaluate(classes);
        assertFalse(result.hasViolation(), () -> String.join("\n", result.getFailureReport().getDetails()));
    }

    @Test
    void theLayerRuleCatchesAnUpwardImport() {
        JavaClasses withTests = new ClassFileImporter().importClasses(io.sparkcnn.common.UpwardImport.class, io.sparkcnn.cli.Main.class);
        EvaluationResult result = layers().evaluate(withTests);
        assertTrue(result.hasViolation(), "a class in common that uses cli must be reported");
    }

    @Test
    void phasesHaveShortMethods() throws IOException {
        List<Method> phases = methods(SOURCES.resolve("train")).stream()
                .filter(m -> PHASES.contains(m.type())).toList();
        assertEquals(PHASES.size(), phases.stream().map(Method::type).distinct().count(), "all phases found: " + phases);
        List<Method> tooLong = phases.stream().filter(m -> m.lines() > MAX_PHASE_METHOD_LINES).toList();
        assertTrue(tooLong.isEmpty(), "methods of the run's phases longer than " + MAX_PHASE_METHOD_LINES + " lines: "
                + tooLong);
        List<Method> longest = methods(SOURCES.resolve("train")).stream()
                .sorted(Comparator.comparingInt(Method::lines).reversed()).limit(5).toList();
        System.out.println("Longest methods in train/ (lines from signature to closing brace): " + longest);
    }

    /** A method or constructor of a type in {@code dir}, and its length from its signature to its closing brace. */
    record Method(String type, String name, int lines) {
        @Override
        public String toString() {
            return type + "." + name + " " + lines;
        }
    }

    /** Every method and constructor declared in the {@code .java} files of {@code dir} (not its sub-folders). */
    static List<Method> methods(Path dir) throws IOException {
        StaticJavaParser.getParserConfiguration().setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17);
        List<Method> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                CompilationUnit unit = StaticJavaParser.parse(file);
                String type = file.getFileName().toString().replace(".java", "");
                for (CallableDeclaration<?> c : unit.findAll(CallableDeclaration.class)) {
                    int lines = c.getEnd().orElseThrow().line - c.getName().getBegin().orElseThrow().line + 1;
                    all.add(new Method(type, c.getNameAsString(), lines));
                }
            }
        }
        return all;
    }
}
