/// \file
/// The 2-D convolution layer (a cross-correlation, as every framework computes it), with stride,
/// asymmetric zero padding, dilation, groups and an optional bias; its forward in two forms and
/// its backward in four independently written forms.
/// Derivations: \ref conv2d "Convolution", \ref stride_dilation "Stride and dilation", \ref groups "Groups", \ref conv_matrix "The matrix form".
#pragma once

#include "cnnbp/core/geometry.hpp"
#include "cnnbp/core/tensor.hpp"

#include <optional>

namespace cnnbp {

/// The hyper-parameters of conv2d. The kernel size comes from the shape of w.
struct Conv2dParams {
    int stride_h = 1;    ///< s_h, the step between windows down the rows (>= 1)
    int stride_w = 1;    ///< s_w, the step between windows along the columns (>= 1)
    Padding pad;         ///< zero padding on each side (each >= 0)
    int dilation_h = 1;  ///< d_h, the spacing of the kernel's rows on the input (>= 1)
    int dilation_w = 1;  ///< d_w, the spacing of the kernel's columns on the input (>= 1)
    int groups = 1;  ///< G: C and F are split into G blocks; filter f sees only its block's channels, \ref eq_K1 "(K1)"
};

/// Gradients of conv2d: the gradient of <out, dout>, \ref eq_N1 "(N1)", with respect to each input.
struct Conv2dGrads {
    Tensor4 dx;     ///< (N, C, H, W)
    Tensor4 dw;     ///< (F, C/groups, K_h, K_w)
    arma::vec db;   ///< (F); the gradient a bias would get, reported whether or not the forward had one
};

/// Everything conv2d derives from the shapes of x and w and the parameters, after validating them.
struct Conv2dShape {
    Window2d window;      ///< kernel from w, stride, padding and dilation from the parameters
    OutputSize out;       ///< H', W' from \ref eq_G1 "(G1)"
    arma::uword c_group;  ///< channels per group, C / groups
    arma::uword f_group;  ///< filters per group, F / groups
    Shape4 out_shape;     ///< (N, F, H', W')
};

/// Validates x (N, C, H, W), w (F, C/groups, K_h, K_w) as in \ref eq_K1 "(K1)", the optional bias b (F) and the parameters,
/// and returns the derived geometry. Throws cnnbp::Error naming `fn`, the parameter and the numbers.
Conv2dShape conv2d_shape(const char* fn, const Shape4& x, const Shape4& w, const std::optional<arma::vec>& b,
                         const Conv2dParams& p);

/// Validates a backward's inputs: the forward's shapes, as conv2d_shape(), and dout shaped like the output
/// (N, F, H', W'). Returns the geometry; throws cnnbp::Error naming `fn` and the shapes.
Conv2dShape conv2d_backward_shape(const char* fn, const Tensor4& dout, const Tensor4& x, const Tensor4& w,
                                  const Conv2dParams& p);

/// The gradient a per-channel bias gets, \ref eq_C5 "(C5)": db[f] = sum over n, i, j of dout[n,f,i,j], the sum over
/// the batch and every position (never averaged). dout is (N, F, H', W'); db is (F).
arma::vec bias_gradient(const Tensor4& dout);

/// Forward, by the definition \ref eq_C1 "(C1)":
/// out[n,f,i,j] = b[f] + sum_{c',u,v} w[f,c',u,v] x_p[n, g C_g + c', i s_h + u d_h, j s_w + v d_w],
/// with g = f / F_g the group of filter f and x_p the zero-padded input.
///
/// x is (N, C, H, W), w is (F, C/groups, K_h, K_w), b is (F) or absent; out is (N, F, H', W').
Tensor4 conv2d_forward(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b, const Conv2dParams& p);

/// Forward as one matrix product per group, \ref eq_M2 "(M2)": out_g = W_g im2col(x_g) + b_g, computed one sample at
/// a time, \ref eq_M5 "(M5)", in a workspace each thread reuses. Same shapes and result as conv2d_forward().
Tensor4 conv2d_forward_matrix(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                              const Conv2dParams& p);

/// Backward, scatter form: every output sends dout[n,f,i,j] back into its window,
/// \ref eq_C3 "(C3)"--\ref eq_C5 "(C5)", derived from the derivative of one output \ref eq_C2 "(C2)":
/// dx_p[n, gC_g+c', i s_h+u d_h, j s_w+v d_w] += w[f,c',u,v] dout[n,f,i,j],
/// dw[f,c',u,v] += x_p[...] dout[n,f,i,j], db[f] += dout[n,f,i,j].
///
/// Backward means the gradient of <out, dout>, \ref eq_N1 "(N1)". dout is (N, F, H', W');
/// x and w are the forward's inputs. The bias does not enter the gradients, so it is not an argument.
/// Input rows and columns that no window reaches get a zero gradient, \ref eq_G2 "(G2)".
Conv2dGrads conv2d_backward_scatter(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p);

/// Backward, gather form: every input pixel sums over the windows that contain it,
/// \ref eq_C6 "(C6)": dx[n,c,h,w] = sum over f in the group of c and (u, v) with
/// h + p_top - u d_h = i s_h and w + p_left - v d_w = j s_w for an output (i, j) of
/// w[f,c',u,v] dout[n,f,i,j]; each weight likewise gathers \ref eq_C4 "(C4)".
///
/// Same contract as conv2d_backward_scatter().
Conv2dGrads conv2d_backward_gather(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p);

/// Backward, closed form with whole-plane convolutions of the stride-dilated dout \ref eq_S1 "(S1)" and the
/// dilation-dilated filter \ref eq_S2 "(S2)", \ref eq_S3 "(S3)" and \ref eq_S4 "(S4)":
/// dx = crop(full convolution of the stride-dilated dout with the dilation-dilated filter), i.e. the full
/// cross-correlation with the 180-degree rotated filter; dw = every d-th entry of the valid
/// cross-correlation of the padded input with the stride-dilated dout; db = sum of dout.
///
/// Same contract as conv2d_backward_scatter().
Conv2dGrads conv2d_backward_closed(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p);

/// Backward, matrix form, \ref eq_M3 "(M3)": dW_g = dout_g cols_g^T, dcols_g = W_g^T dout_g,
/// dx = col2im(dcols), \ref eq_M4 "(M4)". BLAS products per sample and group, \ref eq_M5 "(M5)"; dW summed over
/// the samples in their order, so the bits do not depend on the number of threads.
///
/// Same contract as conv2d_backward_scatter().
Conv2dGrads conv2d_backward_matrix(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p);

/// Forward when every group has one input channel (C/groups = 1: depthwise, with any number of filters per group):
/// \ref eq_C1 "(C1)" as loops along whole output columns over the taps that land on the input, at the speed of
/// memory, where the matrix form would be one thin product per group. Same contract as conv2d_forward(); throws
/// cnnbp::Error when C/groups is not 1.
Tensor4 conv2d_forward_depthwise(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                                 const Conv2dParams& p);

/// Backward when every group has one input channel: \ref eq_C3 "(C3)" and \ref eq_C4 "(C4)" as the same loops.
/// Same contract as conv2d_backward_scatter(); throws cnnbp::Error when C/groups is not 1.
Conv2dGrads conv2d_backward_depthwise(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p);

/// The oracle's forward: conv2d_forward_depthwise() when C/groups = 1, conv2d_forward_matrix() otherwise.
/// Both use every thread OpenMP offers (see cnnbp/core/parallel.hpp) and give the same bits on any number of them.
Tensor4 conv2d_forward_fast(const Tensor4& x, const Tensor4& w, const std::optional<arma::vec>& b,
                            const Conv2dParams& p);

/// The oracle's backward: conv2d_backward_depthwise() when C/groups = 1, conv2d_backward_matrix() otherwise; the
/// same bits on any number of threads.
Conv2dGrads conv2d_backward(const Tensor4& dout, const Tensor4& x, const Tensor4& w, const Conv2dParams& p);

}  // namespace cnnbp
