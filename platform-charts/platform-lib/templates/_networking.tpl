{{/*
The Service. Port names tell Istio the protocol: grpc, grpc-web (browser-facing services, reached
from the ingress gateway), http-websocket (WebSockets), http (plain HTTP), http-metrics.
*/}}
{{- define "platform-lib.service.service" -}}
apiVersion: v1
kind: Service
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  type: ClusterIP
  selector:
    {{- include "platform-lib.selectorLabels" . | nindent 4 }}
  ports:
    - name: grpc
      port: {{ .Values.ports.grpc }}
      targetPort: grpc
      appProtocol: grpc
    {{- if .Values.browser }}
    - name: grpc-web
      port: {{ .Values.ports.grpcWeb }}
      targetPort: grpc
      appProtocol: grpc-web
    {{- end }}
    {{- with .Values.ports.websocket }}
    - name: http-websocket
      port: {{ . }}
      targetPort: websocket
      appProtocol: http
    {{- end }}
    {{- with .Values.ports.http }}
    - name: http
      port: {{ . }}
      targetPort: http
      appProtocol: http
    {{- end }}
    - name: http-metrics
      port: {{ .Values.ports.metrics }}
      targetPort: metrics
      appProtocol: http
{{- end -}}

{{/* Mutual TLS to the service, bounded connection pools, and ejection of failing endpoints. */}}
{{- define "platform-lib.service.destinationRule" -}}
{{- $traffic := .Values.traffic -}}
apiVersion: networking.istio.io/v1
kind: DestinationRule
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  host: {{ include "platform-lib.serviceHost" (dict "name" (include "platform-lib.name" .) "namespace" .Release.Namespace) }}
  trafficPolicy:
    tls:
      mode: ISTIO_MUTUAL
    connectionPool:
      tcp:
        maxConnections: {{ $traffic.connectionPool.maxConnections }}
        connectTimeout: {{ $traffic.connectionPool.connectTimeout }}
      http:
        http2MaxRequests: {{ $traffic.connectionPool.http2MaxRequests }}
        maxRequestsPerConnection: {{ $traffic.connectionPool.maxRequestsPerConnection }}
        idleTimeout: {{ $traffic.connectionPool.idleTimeout }}
    outlierDetection:
      consecutive5xxErrors: {{ $traffic.outlierDetection.consecutive5xxErrors }}
      interval: {{ $traffic.outlierDetection.interval }}
      baseEjectionTime: {{ $traffic.outlierDetection.baseEjectionTime }}
      maxEjectionPercent: {{ $traffic.outlierDetection.maxEjectionPercent }}
{{- end -}}

{{/*
In-mesh routing: streaming RPCs and WebSockets get the long stream timeout and are never retried;
every other RPC gets the request timeout and bounded retries on errors that mean "not processed".
*/}}
{{- define "platform-lib.service.virtualService" -}}
{{- $traffic := .Values.traffic -}}
{{- $host := include "platform-lib.serviceHost" (dict "name" (include "platform-lib.name" .) "namespace" .Release.Namespace) -}}
{{- $grpcPort := .Values.ports.grpc -}}
apiVersion: networking.istio.io/v1
kind: VirtualService
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  hosts:
    - {{ $host }}
  http:
    {{- with .Values.ports.websocket }}
    {{- include "platform-lib.httpRoute" (dict "name" "websocket" "match" (list (dict "port" .)) "host" $host "port" . "timeout" $traffic.streamTimeout) | nindent 4 }}
    {{- end }}
    {{- if .Values.grpc.streamingMethods }}
    {{- $streams := list }}
    {{- range .Values.grpc.streamingMethods }}
    {{- $streams = append $streams (dict "port" $grpcPort "uri" (dict "exact" .)) }}
    {{- end }}
    {{- include "platform-lib.httpRoute" (dict "name" "grpc-streams" "match" $streams "host" $host "port" $grpcPort "timeout" $traffic.streamTimeout) | nindent 4 }}
    {{- end }}
    {{- include "platform-lib.httpRoute" (dict "name" "grpc" "match" (list (dict "port" $grpcPort)) "host" $host "port" $grpcPort "timeout" $traffic.timeout "retries" $traffic.retries) | nindent 4 }}
{{- end -}}
