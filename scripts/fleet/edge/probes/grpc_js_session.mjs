// What the frontend's Next.js Server Actions do, with @grpc/grpc-js and the registry's .proto files:
// register (or log in), create a space and a document, edit it, read it back. Prints one JSON line.
//   node grpc_js_session.mjs '{"protoRoot": "...", "auth": "127.0.0.1:50051",
//     "knowledge": "127.0.0.1:50052", "email": "...", "password": "...", "spaceName": "...",
//     "title": "...", "content": "..."}'
import { promisify } from "node:util";
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";

const request = JSON.parse(process.argv[2]);
const definition = protoLoader.loadSync(
  [
    "knowledge/auth/v1/auth_service.proto",
    "knowledge/knowledge/v1/space_service.proto",
    "knowledge/knowledge/v1/document_service.proto",
  ],
  { includeDirs: [request.protoRoot], keepCase: false, longs: String, enums: String, defaults: true },
);
const packages = grpc.loadPackageDefinition(definition);
const insecure = grpc.credentials.createInsecure();

function unary(client, method) {
  return promisify(client[method].bind(client));
}

const auth = new packages.knowledge.auth.v1.AuthService(request.auth, insecure);
const signedIn = await unary(auth, "register")({
  email: request.email,
  password: request.password,
  displayName: "grpc-js",
});

const callerMetadata = new grpc.Metadata();
callerMetadata.set("authorization", `Bearer ${signedIn.tokens.accessToken}`);
const spaces = new packages.knowledge.knowledge.v1.SpaceService(request.knowledge, insecure);
const documents = new packages.knowledge.knowledge.v1.DocumentService(request.knowledge, insecure);
const call = (client, method, body) =>
  new Promise((resolve, reject) =>
    client[method](body, callerMetadata, (error, answer) => (error ? reject(error) : resolve(answer))),
  );

const { space } = await call(spaces, "createSpace", { space: { displayName: request.spaceName } });
const created = await call(documents, "createDocument", {
  parent: space.name,
  document: { title: request.title, content: "first draft", contentType: "text/markdown" },
});
const updated = await call(documents, "updateDocument", {
  document: { name: created.document.name, etag: created.document.etag, content: request.content },
  updateMask: { paths: ["content"] },
});
const read = await call(documents, "getDocument", { name: updated.document.name });

console.log(
  JSON.stringify({
    user: signedIn.user.name,
    space: space.name,
    document: read.document.name,
    revision: Number(read.document.revision),
    content: read.document.content,
  }),
);
for (const client of [auth, spaces, documents]) {
  client.close();
}
