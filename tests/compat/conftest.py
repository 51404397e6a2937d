"""MLRun compatibility cases: code from MLRun's public docs, tutorials and tests, run with only the import
changed (``import runlab as mlrun``). Each file names the MLRun source it comes from; a case where runlab
deliberately differs says why, and asserts the typed error that names the runlab way."""
