"""Pure, batched image ops (``tfaug.image.ops``): the functions layers, policies
and user code share. Random variants take the seed first."""

from tfaug.image.ops.affine import (crop_resize, flip, flip_left_right, flip_up_down,
                                    identity, rotation, sample_at, scaling, shear,
                                    transform, transform_boxes, transform_masks,
                                    translation)
# [color]
# [noise]
# [erase]
# [mix]
