"""The local edge: what Istio's ingress gateway does in a cluster, for one machine.

It translates gRPC-web (browsers) to gRPC (services), server streams included, passes WebSockets
through to the services that speak them, answers CORS, and serves the platform's local page.
"""
