/// \file
/// Everything in the cnnbp library, for programs that want all of it.
#pragma once

#include "cnnbp/conv2d.hpp"
#include "cnnbp/error.hpp"
#include "cnnbp/geometry.hpp"
#include "cnnbp/gradcheck.hpp"
#include "cnnbp/im2col.hpp"
#include "cnnbp/pad2d.hpp"
#include "cnnbp/tensor.hpp"
