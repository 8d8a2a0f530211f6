{{/*
The environment a service reads its production wiring from: its settings class (knowledge-kit's
ServiceSettings plus its own fields) under the prefix <SERVICE NAME>_, like MS_CANVAS_GRPC_PORT.
Credentials only ever come from Secret references (database, Kafka password, Qdrant API key,
ClickHouse password, Redis URL), never from values.
*/}}
{{- define "platform-lib.serviceEnvironment" -}}
{{- $p := printf "%s_" (upper .Values.serviceName) -}}
- name: {{ $p }}SERVICE_NAME
  value: {{ .Values.serviceName }}
- name: {{ $p }}GRPC_PORT
  value: {{ .Values.ports.grpc | quote }}
{{- with .Values.ports.websocket }}
- name: {{ $p }}WEBSOCKET_PORT
  value: {{ . | quote }}
{{- end }}
{{- with .Values.ports.http }}
- name: {{ $p }}HTTP_PORT
  value: {{ . | quote }}
{{- end }}
- name: {{ $p }}METRICS_PORT
  value: {{ .Values.ports.metrics | quote }}
{{- with .Values.database }}
{{- /* The PostgreSQL operator's Secret holds the parts; the kit wants one asyncpg URL. */}}
{{- range $variable, $key := dict "PGUSER" "username" "PGPASSWORD" "password" "PGHOST" "host" "PGPORT" "port" "PGDATABASE" "dbname" }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $.Values.database.secretName }}
      key: {{ $key }}
{{- end }}
- name: {{ $p }}DATABASE_URL
  value: "postgresql+asyncpg://$(PGUSER):$(PGPASSWORD)@$(PGHOST):$(PGPORT)/$(PGDATABASE)"
{{- end }}
- name: {{ $p }}AUTH_JWKS_URL
  value: {{ include "platform-lib.jwksUri" (dict "jwt" .Values.jwt "namespace" .Release.Namespace) | quote }}
- name: {{ $p }}AUTH_ISSUER
  value: {{ .Values.jwt.issuer | quote }}
- name: {{ $p }}AUTH_AUDIENCE
  value: {{ .Values.jwt.audience | quote }}
{{- with .Values.kafka }}
- name: {{ $p }}KAFKA_BOOTSTRAP
  value: {{ .bootstrapServers | quote }}
- name: {{ $p }}PRODUCED_TOPICS
  value: {{ toJson .produces | quote }}
- name: {{ $p }}CONSUMED_TOPICS
  value: {{ toJson .consumes | quote }}
- name: {{ $p }}KAFKA_CONSUMER_GROUP
  value: {{ .consumerGroup }}
{{- with .deadLetterTopic }}
- name: {{ $p }}KAFKA_DEAD_LETTER_TOPIC
  value: {{ . }}
{{- end }}
- name: {{ $p }}KAFKA_SECURITY_PROTOCOL
  value: SASL_SSL
- name: {{ $p }}KAFKA_SASL_MECHANISM
  value: SCRAM-SHA-512
- name: {{ $p }}KAFKA_SASL_USERNAME
  value: {{ .user }}
- name: {{ $p }}KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .user }}
      key: password
- name: {{ $p }}KAFKA_SSL_CAFILE
  value: /etc/kafka/cluster-ca/ca.crt
{{- end }}
{{- with .Values.stores.qdrant }}
{{- /* Its own Qdrant (the qdrant release) in this namespace, unless `url` names another. */}}
{{- $host := include "platform-lib.serviceHost" (dict "name" .service "namespace" $.Release.Namespace) }}
- name: {{ $p }}QDRANT_URL
  value: {{ .url | default (printf "http://%s:%v" $host .port) | quote }}
- name: {{ $p }}QDRANT_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .apiKeySecret.name }}
      key: {{ .apiKeySecret.key }}
{{- end }}
{{- with .Values.stores.clickhouse }}
{{- /* Its own ClickHouse (the clickhouse release) in this namespace, unless `url` names another. */}}
{{- $host := include "platform-lib.serviceHost" (dict "name" .service "namespace" $.Release.Namespace) }}
- name: {{ $p }}CLICKHOUSE_URL
  value: {{ .url | default (printf "http://%s:%v" $host .port) | quote }}
- name: {{ $p }}CLICKHOUSE_USERNAME
  value: {{ .user | quote }}
- name: {{ $p }}CLICKHOUSE_DATABASE
  value: {{ .database | quote }}
- name: {{ $p }}CLICKHOUSE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .passwordSecret.name }}
      key: {{ .passwordSecret.key }}
{{- end }}
{{- range $setting, $value := .Values.settings }}
- name: {{ $p }}{{ upper $setting }}
  value: {{ $value | quote }}
{{- end }}
{{- range .Values.settingsFromSecrets }}
- name: {{ $p }}{{ upper .setting }}
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}
{{- with .Values.scratch }}
{{- /* Directories the service writes beyond /tmp: on its scratch volume. */}}
{{- range $setting, $directory := .settings }}
- name: {{ $p }}{{ upper $setting }}
  value: {{ printf "%s/%s" $.Values.scratch.mountPath $directory | quote }}
{{- end }}
{{- end }}
{{- with .Values.serviceAccounts }}
{{- /*
The service accounts it provisions (ms_auth's SERVICE_ACCOUNTS, JSON): each secret from the Secret
the account's own service reads too, put into the JSON by the kubelet's $(VARIABLE) expansion of
the variables before it, so no secret is ever in values or in the Deployment.
*/}}
{{- $accounts := list }}
{{- range $index, $account := . }}
- name: {{ printf "SERVICE_ACCOUNT_SECRET_%d" $index }}
  valueFrom:
    secretKeyRef:
      name: {{ $account.secretName }}
      key: {{ $account.key }}
{{- $accounts = append $accounts (dict "name" $account.name "secret" (printf "$(SERVICE_ACCOUNT_SECRET_%d)" $index) "display_name" $account.displayName) }}
{{- end }}
- name: {{ $p }}SERVICE_ACCOUNTS
  value: {{ toJson $accounts | quote }}
{{- end }}
{{- with .Values.stores.redis }}
- name: {{ $p }}REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ .urlSecret.name }}
      key: {{ .urlSecret.key }}
{{- end }}
{{- end -}}
