/// \file
/// A sequential network of cnnbp's layers with one loss at the end: forward and backward by composing the layer
/// functions, every intermediate activation and error signal kept. Derivation: \ref backprop.
#pragma once

#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/core/geometry.hpp"
#include "cnnbp/core/tensor.hpp"

#include <armadillo>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cnnbp {

/// conv2d with its hyper-parameters; its weights (Tensor4 w, optional b) are in LayerParams.
struct Conv2dLayer {
    Conv2dParams params;  ///< stride, padding, dilation, groups
};
/// pad2d with its padding.
struct Pad2dLayer {
    Padding padding;  ///< the four sides
};
/// relu, elementwise.
struct ReluLayer {};
/// sigmoid, elementwise.
struct SigmoidLayer {};
/// tanh, elementwise.
struct TanhLayer {};
/// maxpool2d with its window.
struct MaxPool2dLayer {
    Window2d window;  ///< kernel, stride, padding, dilation, ceil_mode
};
/// avgpool2d with its parameters.
struct AvgPool2dLayer {
    AvgPool2dParams params;  ///< window and count_include_pad
};
/// flatten, from images to one row per sample.
struct FlattenLayer {};
/// linear; its weights (matrix w, optional b) are in LayerParams.
struct LinearLayer {};

/// One layer of a sequential network.
using Layer = std::variant<Conv2dLayer, Pad2dLayer, ReluLayer, SigmoidLayer, TanhLayer, MaxPool2dLayer, AvgPool2dLayer,
                           FlattenLayer, LinearLayer>;

/// What flows between layers: a batch of images, or (after flatten) a matrix with one sample per row.
using Value = std::variant<Tensor4, arma::mat>;

/// The parameters of one layer: w is a Tensor4 for conv2d and a matrix for linear; other layers have none.
struct LayerParams {
    std::optional<Value> w;        ///< the weights, if the layer has any
    std::optional<arma::vec> b;    ///< the bias, if the layer has one
};

/// The gradients of one layer's parameters, shaped like them.
struct LayerGrads {
    std::optional<Value> dw;       ///< dC/dw, if the layer has weights
    std::optional<arma::vec> db;   ///< dC/db, if the layer has a bias
};

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

/// The forward pass: a[l] = layer_l(a[l-1]), l = 1..L, with a[0] = x. Returns a[0..L].
/// Throws cnnbp::Error, naming the layer by number and name, when a layer's input or parameters do not fit it.
std::vector<Value> sequential_forward(const std::vector<Layer>& layers, const std::vector<LayerParams>& params,
                                      const Value& x);

/// Forward, loss, then backward through every layer in reverse, \ref eq_B7 "(B7)": the error signal
/// da[L] = dC/da[L] comes from the loss (\ref eq_Q2 "(Q2)" or \ref eq_Q5 "(Q5)"), and each layer's backward turns
/// da[l] into da[l-1] and its parameters' gradients. It is the algorithm of backprop_mlp(), with each layer's backward
/// in place of W^T and f'.
SequentialTrace sequential_backprop(const std::vector<Layer>& layers, const std::vector<LayerParams>& params,
                                    const Value& x, const Loss& loss);

}  // namespace cnnbp
