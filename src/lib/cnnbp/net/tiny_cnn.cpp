#include "cnnbp/net/tiny_cnn.hpp"

#include "cnnbp/layers/conv2d.hpp"

namespace cnnbp {

// [tiny_cnn_example]
NetworkCase tiny_cnn_example(bool with_relu, double conv_bias) {
    Tensor4 x(1, 1, 4, 4), w(1, 1, 2, 2);
    const double xs[4][4] = {{1, 2, 0, 1}, {0, 1, 3, 1}, {2, 1, 1, 0}, {1, 0, 2, 3}};
    for (arma::uword h = 0; h < 4; ++h)
        for (arma::uword c = 0; c < 4; ++c) x(0, 0, h, c) = xs[h][c];
    w(0, 0, 0, 0) = 0.5, w(0, 0, 0, 1) = -1.0, w(0, 0, 1, 0) = 1.0, w(0, 0, 1, 1) = 0.25;
    Conv2dParams conv;
    conv.stride_h = conv.stride_w = 2;

    NetworkCase net;
    net.layers.push_back(layer("conv2d", conv));                 // z = w * x + b, one 2x2 map
    net.params.push_back({Value(w), arma::vec{conv_bias}});
    if (with_relu) {
        net.layers.push_back(layer("relu"));                   // a = relu(z)
        net.params.push_back({});
    }
    net.layers.push_back(layer("maxpool2d", Window2d::pooling(2, 2)));  // p = max of the map
    net.params.push_back({});
    net.layers.push_back(layer("flatten"));
    net.params.push_back({});
    net.layers.push_back(layer("linear"));                     // r = v p + c
    net.params.push_back({Value(arma::mat(1, 1, arma::fill::value(1.5))), arma::vec{-0.5}});
    net.x = x;
    net.loss = MseLoss{arma::mat(1, 1, arma::fill::value(2.0))};                     // E = (t - r)^2 / 2 with t = 2
    return net;
}
// [tiny_cnn_example]

}  // namespace cnnbp
