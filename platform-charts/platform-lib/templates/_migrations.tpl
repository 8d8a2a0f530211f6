{{/*
The database migrations of a release: one Job before the release's objects are installed or
upgraded (a Helm hook: the upgrade waits for it and fails if it fails), so the replicas start on
a migrated schema with <PREFIX>DATABASE_MIGRATIONS=skip and never race each other to migrate.
The Job runs the service's own image with <PREFIX>DATABASE_MIGRATIONS=only: the kit's runtime
migrates and exits. Its pods stay out of the mesh (a sidecar would keep a finished Job running)
and run before the release's ServiceAccount and NetworkPolicies exist, so two hook
NetworkPolicies let them, and only them, reach DNS and the service's PostgreSQL.
*/}}
{{- define "platform-lib.migrationsVariable" -}}
- name: {{ printf "%s_DATABASE_MIGRATIONS" (upper .root.Values.serviceName) }}
  value: {{ .mode | quote }}
{{- end -}}

{{- define "platform-lib.migrationsLabels" -}}
app.kubernetes.io/name: {{ printf "%s-migrations" (include "platform-lib.name" .) }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "platform-lib.hookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ .weight | quote }}
helm.sh/hook-delete-policy: {{ .deletePolicy }}
{{- end -}}

{{- define "platform-lib.service.migrations" -}}
{{- $name := printf "%s-migrations" (include "platform-lib.name" .) -}}
{{- $network := .Values.network -}}
{{- $database := $network.egress.database -}}
{{- $jobPods := dict "podSelector" (dict "matchLabels" (include "platform-lib.migrationsLabels" . | fromYaml)) -}}
{{- $dns := include "platform-lib.networkPeer" $network.egress.dns | fromYaml -}}
{{- $dnsPorts := list (dict "protocol" "UDP" "port" $network.egress.dns.port) (dict "protocol" "TCP" "port" $network.egress.dns.port) -}}
{{- $postgres := list (dict "protocol" "TCP" "port" $database.port) -}}
{{- $instances := dict "podSelector" (dict "matchLabels" $database.podLabels) -}}
{{- $hook := dict "weight" -1 "deletePolicy" "before-hook-creation" -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
{{ include "platform-lib.metadata" (dict "root" . "name" $name "annotations" (include "platform-lib.hookAnnotations" $hook | fromYaml)) }}
spec:
  podSelector:
    {{- toYaml $jobPods.podSelector | nindent 4 }}
  policyTypes:
    - Ingress
    - Egress
  egress:
    {{- toYaml (list (dict "to" (list $dns) "ports" $dnsPorts) (dict "to" (list $instances) "ports" $postgres)) | nindent 4 }}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
{{ include "platform-lib.metadata" (dict "root" . "name" (printf "%s-postgres" $name) "annotations" (include "platform-lib.hookAnnotations" $hook | fromYaml)) }}
spec:
  podSelector:
    {{- toYaml $instances.podSelector | nindent 4 }}
  policyTypes:
    - Ingress
  ingress:
    {{- toYaml (list (dict "from" (list $jobPods) "ports" $postgres)) | nindent 4 }}
---
apiVersion: batch/v1
kind: Job
{{ include "platform-lib.metadata" (dict "root" . "name" $name "annotations" (include "platform-lib.hookAnnotations" (dict "weight" 0 "deletePolicy" "before-hook-creation,hook-succeeded") | fromYaml)) }}
spec:
  backoffLimit: 2
  activeDeadlineSeconds: 600
  template:
    metadata:
      labels:
        {{- include "platform-lib.migrationsLabels" . | nindent 8 }}
        sidecar.istio.io/inject: "false"
    spec:
      restartPolicy: Never
      automountServiceAccountToken: false
      {{- with include "platform-lib.podPlacement" . | trim }}{{ . | nindent 6 }}{{ end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: migrations
          image: {{ include "platform-lib.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          env:
            {{- include "platform-lib.serviceEnvironment" . | nindent 12 }}
            {{- include "platform-lib.migrationsVariable" (dict "root" . "mode" "only") | nindent 12 }}
          {{- include "platform-lib.resources" . | nindent 10 }}
          {{- include "platform-lib.containerSecurityContext" . | nindent 10 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if .Values.kafka }}
            - name: kafka-cluster-ca
              mountPath: /etc/kafka/cluster-ca
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
        {{- if .Values.kafka }}
        - name: kafka-cluster-ca
          secret:
            secretName: {{ .Values.kafka.clusterCaSecret }}
            items:
              - key: ca.crt
                path: ca.crt
        {{- end }}
{{- end -}}
