/**
 * The network, backpropagation and the trainer: {@link dev.simdnet.core.Network} holds the layer
 * sizes and every parameter in one flat array, {@link dev.simdnet.core.Trainer} runs minibatch
 * stochastic gradient descent on a {@link dev.simdnet.core.Dataset} with the kernels of
 * {@link dev.simdnet.core.kernels}.
 */
package dev.simdnet.core;
