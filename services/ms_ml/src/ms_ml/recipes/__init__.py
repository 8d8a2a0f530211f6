"""The built-in training recipes: pure functions from parameters and a dataset to a model file
and its held-out metrics, with no database or RPC of their own. A training job runs one in a
process of its own (see ms_ml.training).

`data/retrieval_eval/` is the platform's retrieval evaluation set as ms_vector's benchmarks use
it (a snapshot of the platform's READMEs and 259 questions quoting their answers), the data a
`reranker` job reads when its dataset_uri is empty.
"""
