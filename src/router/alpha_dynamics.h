// How alpha moves in t (design.md section 4), one formula per function: the derivative from a
// logit velocity, the logit-space Euler step of MoG-da's integrated alpha, its correction toward
// an alpha head, and the errors the trainer minimises.
#pragma once
#include <torch/types.h>

namespace ddm {

// d alpha/dt = alpha (.) (c - <alpha, c>): sums to zero, vanishes where alpha is one-hot.
torch::Tensor dalpha_from_velocity(const torch::Tensor& alpha, const torch::Tensor& c);

// z_{n+1} = z_n + dt c (alpha = softmax(z); no clamping, no renormalising).
torch::Tensor logit_step(const torch::Tensor& z, const torch::Tensor& c, double dt);

// Pulls integrated logits toward the alpha head's: (1 - gain) log_softmax(z) + gain log_softmax(f).
torch::Tensor corrected_logits(const torch::Tensor& z, const torch::Tensor& head_logits, double gain);

// Per row: sum_k w_k (e_k - <w, e>)^2 with e = c_hat - c, the w-weighted variance of the velocity
// error; it ignores the constant that c is defined up to. With w = alpha it is what one logit step
// of size dt adds to KL(alpha || alpha_hat), over dt^2 / 2.
torch::Tensor velocity_error(const torch::Tensor& w, const torch::Tensor& c_hat, const torch::Tensor& c);

// Per row: total variation 0.5 sum_k |p_k - q_k|.
torch::Tensor total_variation(const torch::Tensor& p, const torch::Tensor& q);

}  // namespace ddm
