"""The embedded offline PERM scorer: features from the packaged MiniLM encoder + ridge heads.

`features` turns a dimension request into a vector, `model` holds the fitted heads (a small
.npz shipped in perm/assets/local-scorer/), `distill` fits them from any judge's labels.
"""
