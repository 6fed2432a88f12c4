/// \file
/// A sequential network of cnnbp's layers with one loss at the end: forward and backward by composing the layer
/// functions, every intermediate activation and error signal kept. Derivation: \ref backprop "The backpropagation algorithm".
#pragma once

#include "cnnbp/core/tensor.hpp"
#include "cnnbp/net/value.hpp"
#include "cnnbp/ops/op.hpp"

#include <armadillo>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cnnbp {

/// One layer of a sequential network: an op that can sit in a network (op_table()) and its parameters, as the op's
/// own struct (Conv2dParams for conv2d, Window2d for maxpool2d, AvgPool2dParams, Padding for pad2d; none for relu,
/// sigmoid, tanh, flatten, linear). Its weights, if it has any, are in LayerParams.
struct Layer {
    const Op* op = nullptr;  ///< the layer's description
    OpParams params;         ///< its hyper-parameters
};

/// The layer called `op` with its parameters: `layer("conv2d", Conv2dParams{...})`, `layer("relu")`. Throws
/// cnnbp::Error for an op that is unknown or cannot sit in a network.
Layer layer(const std::string& op, OpParams params = {});

/// The quadratic cost against targets y (N, M), \ref eq_Q1 "(Q1)".
struct MseLoss {
    arma::mat y;  ///< (N, M), one sample per row
};
/// Softmax cross-entropy against integer labels, \ref eq_Q4 "(Q4)".
struct SoftmaxCrossEntropyLoss {
    arma::uvec labels;  ///< (N), each in [0, M)
};
/// The loss at the end of the network.
using Loss = std::variant<MseLoss, SoftmaxCrossEntropyLoss>;

/// Everything a forward and backward pass through the network computes, \ref eq_B7 "(B7)".
struct SequentialTrace {
    std::vector<Value> a;           ///< a[0] = x, a[l] = the output of layer l, l = 1..L
    double loss = 0.0;              ///< the loss of a[L]
    std::vector<Value> da;          ///< da[l] = dC/da[l], the error signal reaching each activation, l = 0..L
    std::vector<LayerGrads> grads;  ///< grads[l-1]: the gradients of layer l's parameters
};

/// A short name for a layer, as error messages and printouts use it: "conv2d", "relu", ...
std::string layer_name(const Layer& layer);

/// A network with its input, parameters and loss, ready for sequential_backprop(); what a `sequential` case file
/// holds (oracle/network.hpp reads and writes it).
struct NetworkCase {
    std::vector<Layer> layers;          ///< the layers, first to last
    std::vector<LayerParams> params;    ///< one per layer, empty for layers without parameters
    Value x;                            ///< the input
    Loss loss;                          ///< the loss at the end
};

/// The forward pass: a[l] = layer_l(a[l-1]), l = 1..L, with a[0] = x. Returns a[0..L].
/// Throws cnnbp::Error, naming the layer by number and name, when a layer's input or parameters do not fit it.
std::vector<Value> sequential_forward(const std::vector<Layer>& layers, const std::vector<LayerParams>& params,
                                      const Value& x);

/// Forward, loss, then backward through every layer in reverse, \ref eq_B7 "(B7)": the error signal
/// da[L] = dC/da[L] comes from the loss, \ref eq_Q2 "(Q2)" or \ref eq_Q5 "(Q5)", and each layer's backward turns
/// da[l] into da[l-1] and its parameters' gradients. It is the algorithm of backprop_mlp(), with each layer's backward
/// in place of W^T and f'.
SequentialTrace sequential_backprop(const std::vector<Layer>& layers, const std::vector<LayerParams>& params,
                                    const Value& x, const Loss& loss);

}  // namespace cnnbp
