/**
 * The command line (picocli): one command class per subcommand, the mapping of failures to exit codes, and the
 * thin {@link io.sparkcnn.cli.Main}. The top layer.
 */
package io.sparkcnn.cli;
