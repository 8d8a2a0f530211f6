// ms_knowledge from the server: spaces, members and documents with their history, over grpc-js.
import { DocumentService } from "@knowledge/protos/knowledge/knowledge/v1/document_service_pb";
import { SpaceService } from "@knowledge/protos/knowledge/knowledge/v1/space_service_pb";
import { unary } from "./grpc";
import {
  ROLES,
  documentView,
  memberView,
  spaceView,
  versionView,
  type DocumentView,
  type MemberView,
  type RoleName,
  type SpaceView,
  type VersionView,
} from "./views";

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`the answer had no ${what}`);
  }
  return value;
}

export async function listSpaces(token: string): Promise<SpaceView[]> {
  const spaces: SpaceView[] = [];
  let pageToken = "";
  do {
    const page = await unary(SpaceService.method.listSpaces, { pageSize: 100, pageToken }, { token });
    spaces.push(...page.spaces.map(spaceView));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return spaces;
}

export async function getSpace(token: string, name: string): Promise<SpaceView> {
  const answer = await unary(SpaceService.method.getSpace, { name }, { token });
  return spaceView(required(answer.space, "space"));
}

export async function createSpace(
  token: string,
  displayName: string,
  description: string,
): Promise<SpaceView> {
  const answer = await unary(
    SpaceService.method.createSpace,
    { space: { displayName, description } },
    { token },
  );
  return spaceView(required(answer.space, "space"));
}

export async function listMembers(token: string, parent: string): Promise<MemberView[]> {
  const answer = await unary(SpaceService.method.listSpaceMembers, { parent, pageSize: 100 }, { token });
  return answer.members.map(memberView);
}

export async function inviteMember(
  token: string,
  parent: string,
  user: string,
  role: RoleName,
): Promise<MemberView> {
  const answer = await unary(
    SpaceService.method.inviteSpaceMember,
    { parent, user, role: ROLES[role] },
    { token },
  );
  return memberView(required(answer.member, "member"));
}

export async function changeMemberRole(token: string, name: string, role: RoleName): Promise<MemberView> {
  const answer = await unary(SpaceService.method.updateSpaceMember, { name, role: ROLES[role] }, { token });
  return memberView(required(answer.member, "member"));
}

export async function removeMember(token: string, name: string): Promise<void> {
  await unary(SpaceService.method.removeSpaceMember, { name }, { token });
}

export async function listDocuments(token: string, parent: string): Promise<DocumentView[]> {
  const answer = await unary(DocumentService.method.listDocuments, { parent, pageSize: 100 }, { token });
  return answer.documents.map(documentView);
}

export async function getDocument(token: string, name: string): Promise<DocumentView> {
  const answer = await unary(DocumentService.method.getDocument, { name }, { token });
  return documentView(required(answer.document, "document"));
}

export async function createDocument(
  token: string,
  parent: string,
  title: string,
  content: string,
): Promise<DocumentView> {
  const answer = await unary(
    DocumentService.method.createDocument,
    { parent, document: { title, content, contentType: "text/markdown" } },
    { token },
  );
  return documentView(required(answer.document, "document"));
}

/** Saves title and content if `etag` is still current; a stale etag fails with ABORTED. */
export async function updateDocument(
  token: string,
  name: string,
  etag: string,
  title: string,
  content: string,
): Promise<DocumentView> {
  const answer = await unary(
    DocumentService.method.updateDocument,
    { document: { name, etag, title, content }, updateMask: { paths: ["title", "content"] } },
    { token },
  );
  return documentView(required(answer.document, "document"));
}

export async function listVersions(token: string, parent: string): Promise<VersionView[]> {
  const answer = await unary(
    DocumentService.method.listDocumentVersions,
    { parent, pageSize: 50 },
    { token },
  );
  return answer.versions.map(versionView);
}

export async function restoreVersion(token: string, name: string, etag: string): Promise<DocumentView> {
  const answer = await unary(DocumentService.method.restoreDocumentVersion, { name, etag }, { token });
  return documentView(required(answer.document, "document"));
}
