/**
 * The run report (notebook, HTML page and charts) made from a stored run.
 */
package io.sparkcnn.report;
