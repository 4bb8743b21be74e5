/**
 * Getting data into simdnet: a strict IDX reader ({@link dev.simdnet.data.IdxReader}), MNIST's
 * four-file layout ({@link dev.simdnet.data.MnistFormat}), and the named datasets with their cache
 * and the bundled sample ({@link dev.simdnet.data.Datasets}).
 */
package dev.simdnet.data;
