/**
 * JMH benchmarks: each kernel of {@code core}, scalar against vector, on the minibatch shapes of
 * real networks, reporting GFLOP/s. Run {@code java -jar bench/target/benchmarks.jar -h}.
 */
package dev.simdnet.bench;
