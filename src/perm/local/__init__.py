"""The embedded offline PERM scorers, by name or folder (`registry`).

`v2` (the default, perm-minilm-v2): frozen MiniLM embeddings run by ONNX Runtime (`encoder`,
`onnx_bert`) + MLP heads; `v2.train` fits it (`perm distill`). The v1 modules (`features`,
`model`, `distill`, `encoders`: static word-piece embeddings + ridge heads, perm-minilm-v1)
stay for users who need its speed.
"""
