// The figures by topic, each list drawn from the library's own functions; figures() in figures.cpp joins them.
#pragma once

#include "../docs/artifacts.hpp"

#include "cnnbp/core/geometry.hpp"

#include <string>
#include <vector>

namespace cnnbp::cli {

std::vector<Artifact> geometry_figures();  // geometry_figures.cpp: pages geometry and pad2d
std::vector<Artifact> conv_figures();      // conv_figures.cpp: conv2d, stride_dilation, groups, conv_matrix
std::vector<Artifact> transpose_figures(); // transpose_figures.cpp: conv_transpose2d
std::vector<Artifact> pool_figures();      // pool_figures.cpp: pooling
std::vector<Artifact> network_figures();   // network_figures.cpp: linear, backprop, tiny_cnn

// The hooks a test reads: ` name="value"` for an attribute.
std::string data(const std::string& name, long long value);
std::string data(const std::string& name, const std::string& value);

// The hooks of a figure's example: class="example" with the input size H x W and the window's kernel, stride,
// padding (top bottom left right), dilation and ceil_mode, from which the tests recompute what is drawn.
std::string example_hooks(const Window2d& g, arma::uword H, arma::uword W);
// The window as the figures print it: "K=2x2, s=1, p_left=1", naming only what differs from the default.
std::string window_text(const Window2d& g);

}  // namespace cnnbp::cli
