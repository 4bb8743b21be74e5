/** The {@code simdnet} command line: a thin picocli front end over core and data-tools. */
package dev.simdnet.cli;
