"""MLRun's names, mapped onto runlab: the one place they live.

runlab's core keeps its own names (``RunContext``, ``runlab.record``, ``runlab.artifactfiles``); what an MLRun
notebook spells differently is mapped here, so it runs with only ``import runlab as mlrun`` changed:

- ``compat.model``: ``mlrun.model`` (``RunTemplate``, ``HyperParamStrategies``, ``new_task``, ...)
- ``compat.execution``: ``mlrun.execution.MLClientCtx``
- ``compat.datastore``: ``mlrun.datastore`` (``DataItem``, in-memory items, ``store_manager``, ``get_object``)
- ``compat.artifacts``: ``mlrun.artifacts`` (``get_model``, ``update_model``, the artifact classes)
- ``compat.config``: ``mlrun.mlconf``, ``set_environment``, ``set_env_from_file``, ``get_secret_or_env``
- ``compat.decorators``: ``@mlrun.handler``
- ``compat.functions``: ``import_function`` and the pod modifiers (``auto_mount``, ``mount_v3io``, ...), which
  raise ``UnsupportedError``

The modules ``runlab.model``, ``runlab.execution``, ``runlab.datastore`` and ``runlab.artifacts`` only
re-export these, so MLRun's import paths (``from runlab.execution import MLClientCtx``) work too. MLRun's
error names are aliases at the end of :mod:`runlab.errors` (an ``except`` clause needs the very class).
"""
