/// \file
/// Everything in the cnnbp library, for programs that want all of it.
#pragma once

#include "cnnbp/core/error.hpp"
#include "cnnbp/core/geometry.hpp"
#include "cnnbp/core/gradcheck.hpp"
#include "cnnbp/core/tensor.hpp"
#include "cnnbp/layers/activation.hpp"
#include "cnnbp/layers/avgpool2d.hpp"
#include "cnnbp/layers/conv2d.hpp"
#include "cnnbp/layers/conv_transpose2d.hpp"
#include "cnnbp/layers/flatten.hpp"
#include "cnnbp/layers/im2col.hpp"
#include "cnnbp/layers/linear.hpp"
#include "cnnbp/layers/loss.hpp"
#include "cnnbp/layers/maxpool2d.hpp"
#include "cnnbp/layers/pad2d.hpp"
#include "cnnbp/net/mlp.hpp"
#include "cnnbp/net/sequential.hpp"
#include "cnnbp/net/tiny_cnn.hpp"
#include "cnnbp/oracle/oracle.hpp"
