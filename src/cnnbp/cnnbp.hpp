/// \file
/// Everything in the cnnbp library, for programs that want all of it.
#pragma once

#include "cnnbp/activation.hpp"
#include "cnnbp/avgpool2d.hpp"
#include "cnnbp/conv2d.hpp"
#include "cnnbp/error.hpp"
#include "cnnbp/flatten.hpp"
#include "cnnbp/geometry.hpp"
#include "cnnbp/gradcheck.hpp"
#include "cnnbp/im2col.hpp"
#include "cnnbp/linear.hpp"
#include "cnnbp/loss.hpp"
#include "cnnbp/maxpool2d.hpp"
#include "cnnbp/mlp.hpp"
#include "cnnbp/pad2d.hpp"
#include "cnnbp/sequential.hpp"
#include "cnnbp/tensor.hpp"
#include "cnnbp/tiny_cnn.hpp"
