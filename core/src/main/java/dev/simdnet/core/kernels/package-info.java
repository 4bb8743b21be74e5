/**
 * The numeric kernels: one interface ({@link dev.simdnet.core.kernels.Kernels}), a plain-Java
 * implementation that is also the test oracle, one on the Java Vector API, and the provider that
 * picks between them once per JVM.
 */
package dev.simdnet.core.kernels;
