{{/*
Who may open connections to the service's pods, and where they may open them, below the mesh:
the namespace denies all traffic by default (the mesh chart's NetworkPolicy), so this policy is the
release's only way in and out. In: its repos.yaml callers on the gRPC port, the ingress gateway on
the browser ports, anyone in the namespace and istiod on the public HTTP port (the JWKS),
Prometheus on the metrics ports (the service's, the sidecar's). Out: DNS, istiod, the OpenTelemetry
collector (spans, the service's and its sidecar's), what repos.yaml says it reaches outside the
cluster (network.egress.external), the API server when its Role grants it anything, the services it calls, the JWKS, its own PostgreSQL, Kafka's brokers and its stores.
*/}}
{{- define "platform-lib.service.networkPolicy" -}}
{{- $auth := .Values.authorization -}}
{{- $ports := .Values.ports -}}
{{- $network := .Values.network -}}
{{- $egress := $network.egress -}}
{{- $ingress := list -}}
{{- range $auth.callers -}}
{{- $ingress = append $ingress (dict "from" (list (dict "podSelector" (dict "matchLabels" (dict "app.kubernetes.io/name" .)))) "ports" (list (dict "protocol" "TCP" "port" $ports.grpc))) -}}
{{- end -}}
{{- if $auth.ingress -}}
{{- $browserPorts := list (dict "protocol" "TCP" "port" $ports.grpc) -}}
{{- if $ports.websocket -}}
{{- $browserPorts = append $browserPorts (dict "protocol" "TCP" "port" $ports.websocket) -}}
{{- end -}}
{{- $ingress = append $ingress (dict "from" (list (include "platform-lib.networkPeer" (dict "namespace" .Values.mesh.ingressGateway.namespace) | fromYaml)) "ports" $browserPorts) -}}
{{- end -}}
{{- if $auth.publicHttpPaths -}}
{{- $controlPlane := include "platform-lib.networkPeer" $egress.controlPlane | fromYaml -}}
{{- $ingress = append $ingress (dict "from" (list (dict "podSelector" (dict)) $controlPlane) "ports" (list (dict "protocol" "TCP" "port" $ports.http))) -}}
{{- end -}}
{{- with .Values.telemetry.scraper -}}
{{- $scrapePorts := list (dict "protocol" "TCP" "port" $ports.metrics) (dict "protocol" "TCP" "port" $.Values.telemetry.envoyMetricsPort) -}}
{{- $ingress = append $ingress (dict "from" (list (include "platform-lib.networkPeer" . | fromYaml)) "ports" $scrapePorts) -}}
{{- end -}}
{{- $out := list -}}
{{- $dns := include "platform-lib.networkPeer" $egress.dns | fromYaml -}}
{{- $out = append $out (dict "to" (list $dns) "ports" (list (dict "protocol" "UDP" "port" $egress.dns.port) (dict "protocol" "TCP" "port" $egress.dns.port))) -}}
{{- $peers := list $egress.controlPlane $egress.telemetry -}}
{{- range $network.calls -}}
{{- $peers = append $peers (dict "podLabels" (dict "app.kubernetes.io/name" .service) "port" .port) -}}
{{- end -}}
{{- if ne .Values.jwt.jwksService (include "platform-lib.name" .) -}}
{{- $peers = append $peers (dict "podLabels" (dict "app.kubernetes.io/name" .Values.jwt.jwksService) "port" .Values.jwt.jwksPort) -}}
{{- end -}}
{{- with $egress.database }}{{ $peers = append $peers . }}{{ end -}}
{{- with $egress.kafka }}{{ $peers = append $peers . }}{{ end -}}
{{- range $egress.stores }}{{ $peers = append $peers . }}{{ end -}}
{{- range $egress.external -}}
{{- $block := dict "cidr" .cidr -}}
{{- with .except }}{{ $_ := set $block "except" . }}{{ end -}}
{{- $blockPorts := list -}}
{{- range .ports }}{{ $blockPorts = append $blockPorts (dict "protocol" "TCP" "port" .) }}{{ end -}}
{{- $out = append $out (dict "to" (list (dict "ipBlock" $block)) "ports" $blockPorts) -}}
{{- end -}}
{{- if .Values.kubernetesAccess.rules -}}
{{- $api := list -}}
{{- range $network.kubernetesApiPorts }}{{ $api = append $api (dict "protocol" "TCP" "port" .) }}{{ end -}}
{{- $out = append $out (dict "ports" $api) -}}
{{- end -}}
{{- range $peers -}}
{{- $rule := dict "ports" (list (dict "protocol" "TCP" "port" .port)) -}}
{{- if or .namespace .podLabels -}}
{{- $_ := set $rule "to" (list (include "platform-lib.networkPeer" . | fromYaml)) -}}
{{- end -}}
{{- $out = append $out $rule -}}
{{- end -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  podSelector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    {{- toYaml $ingress | nindent 4 }}
  egress:
    {{- toYaml $out | nindent 4 }}
{{- end -}}

{{/* One NetworkPolicy peer: pods labelled podLabels (any, if none) in namespace (the release's, if none). */}}
{{- define "platform-lib.networkPeer" -}}
{{- with .namespace }}
namespaceSelector:
  matchLabels:
    kubernetes.io/metadata.name: {{ . }}
{{- end }}
{{- with .podLabels }}
podSelector:
  matchLabels:
    {{- toYaml . | nindent 4 }}
{{- end }}
{{- end -}}

{{/*
The service's own PostgreSQL (CloudNativePG instances, outside the mesh): reached by the service's
pods and by the operator (status), replicating between its instances, and out to DNS and the
Kubernetes API only.
*/}}
{{- define "platform-lib.service.databaseNetworkPolicy" -}}
{{- $network := .Values.network -}}
{{- $database := $network.egress.database -}}
{{- $instances := dict "podSelector" (dict "matchLabels" $database.podLabels) -}}
{{- $service := dict "podSelector" (dict "matchLabels" (include "platform-lib.selectorLabels" . | fromYaml)) -}}
{{- $dns := include "platform-lib.networkPeer" $network.egress.dns | fromYaml -}}
{{- $operator := include "platform-lib.networkPeer" $network.databaseOperator | fromYaml -}}
{{- $postgres := dict "protocol" "TCP" "port" $database.port -}}
{{- $status := dict "protocol" "TCP" "port" $network.databaseOperator.port -}}
{{- $api := list -}}
{{- range $network.kubernetesApiPorts }}{{ $api = append $api (dict "protocol" "TCP" "port" .) }}{{ end -}}
{{- $ingress := list
  (dict "from" (list $service) "ports" (list $postgres))
  (dict "from" (list $instances) "ports" (list $postgres $status))
  (dict "from" (list $operator) "ports" (list $status)) -}}
{{- $dnsPorts := list (dict "protocol" "UDP" "port" $network.egress.dns.port) (dict "protocol" "TCP" "port" $network.egress.dns.port) -}}
{{- $egress := list
  (dict "to" (list $instances) "ports" (list $postgres))
  (dict "to" (list $dns) "ports" $dnsPorts)
  (dict "ports" $api) -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
{{ include "platform-lib.metadata" (dict "root" . "name" (printf "%s-postgres" (include "platform-lib.name" .))) }}
spec:
  podSelector:
    matchLabels:
      {{- toYaml $database.podLabels | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    {{- toYaml $ingress | nindent 4 }}
  egress:
    {{- toYaml $egress | nindent 4 }}
{{- end -}}
