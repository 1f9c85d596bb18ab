"""Pure, batched image ops (``tfaug.image.ops``): the functions layers, policies
and user code share. Random variants take the seed first."""

from tfaug.image.ops.affine import (affine_matrix, crop_resize, flip, flip_left_right,
                                    flip_up_down, homography, identity, image_corners,
                                    perspective, rotation, sample_at, scaling, shear,
                                    shift_lines,
                                    transform, transform_boxes, transform_masks,
                                    transform_targets, translation)
from tfaug.image.ops.boxes import convert_boxes
from tfaug.image.ops.elastic import elastic_boxes, elastic_field, elastic_transform
from tfaug.image.ops.resizing import resize
from tfaug.image.ops.color import (adjust_brightness, adjust_contrast, adjust_hue,
                                   adjust_saturation, autocontrast, color_jitter, equalize,
                                   invert, posterize, random_brightness, random_contrast,
                                   random_hue, random_saturation, random_sharpness,
                                   scale_brightness, sharpness, solarize, to_grayscale)
from tfaug.image.ops.noise import (draw_keys, gaussian_blur, gaussian_kernel1d,
                                   gaussian_noise, jpeg_quality, keyed_normal, keyed_uniform,
                                   random_gaussian_blur, random_gaussian_noise,
                                   random_jpeg_quality)
from tfaug.image.ops.erase import (box_mask, erase_holes, fill_where, grid_mask,
                                   random_erase, random_grid_mask)
from tfaug.image.ops.mix import (cutmix, cutmix_boxes, mix_labels, mixup, partners,
                                 random_cutmix, random_mixup, sample_beta)
