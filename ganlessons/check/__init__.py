"""Self-checks for the exercises, one module per group of lessons. Each takes the learner's function,
runs it on known cases and prints ✓ or ✗ with what differed and a hint that names the mistake.
They never raise: whatever the learner's code returns or raises is reported as ✗ (lesson 00).

Checks are called as gl.check.<name>(your_fn); the package is not star-imported."""
from ._base import Verdict, verdict
from .lessons_00_02 import c_g_at_collapse, fraction_right_of_zero, hand_generator, optimal_d_from_log_densities, \
    value_on_logits
from .lessons_03 import train_step
from .lessons_04 import discriminator_step, linear_uniform_kurtosis
from .lessons_05_09 import alternating_step, dirac_r1_field, modes_covered, pack, saturating_slope, wilson
from .lessons_10_11 import frechet_distance, kl_to_uniform

__all__ = ["Verdict", "verdict",
           "fraction_right_of_zero",                                   # lesson 00
           "hand_generator",                                           # lesson 01
           "value_on_logits", "optimal_d_from_log_densities", "c_g_at_collapse",   # lesson 02
           "train_step",                                               # lesson 03
           "linear_uniform_kurtosis", "discriminator_step",            # lesson 04
           "saturating_slope",                                         # lesson 05
           "wilson",                                                   # lesson 06
           "modes_covered",                                            # lesson 07
           "pack",                                                     # lesson 08
           "alternating_step", "dirac_r1_field",                       # lesson 09
           "frechet_distance",                                         # lesson 10
           "kl_to_uniform"]                                            # lesson 11
