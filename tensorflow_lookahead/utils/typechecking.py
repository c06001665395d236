# Copyright 2026 The TensorFlow Lookahead Authors. All Rights Reserved.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
# ==============================================================================
"""Type checking for public constructors."""

import functools
import inspect
import typing

import typeguard


def typechecked(func):
    """Checks the annotated arguments of `func` with typeguard on each call.

    Unlike `typeguard.typechecked`, which raises `typeguard.TypeCheckError`
    (not a `TypeError`) and needs the function's source, this raises a
    `TypeError` that names the argument and the expected type, as the public
    constructors promise, and works on any function.

    Args:
        func: The function or method to check. Only annotated parameters are
            checked; `*args` and `**kwargs` are passed through.

    Returns:
        The checked function.

    >>> def scale(factor: float) -> float:
    ...     return 2 * factor
    >>> checked_scale = typechecked(scale)
    >>> checked_scale(1.5)
    3.0
    >>> checked_scale("1.5")
    Traceback (most recent call last):
    ...
    TypeError: Argument `factor` has the wrong type: str is neither float or int.
    Received: factor='1.5'
    """
    signature = inspect.signature(func)
    hints = typing.get_type_hints(func)
    checked_names = [
        name
        for name, parameter in signature.parameters.items()
        if name in hints
        and parameter.kind
        not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        arguments = signature.bind(*args, **kwargs).arguments
        for name in checked_names:
            if name not in arguments:
                continue
            value = arguments[name]
            try:
                typeguard.check_type(value, hints[name])
            except typeguard.TypeCheckError as error:
                raise TypeError(
                    f"Argument `{name}` has the wrong type: {error}. "
                    f"Received: {name}={value!r}"
                ) from None
        return func(*args, **kwargs)

    return wrapper
