import Link from "next/link";
import { getDocument, getSpace, listVersions } from "@/api/knowledge";
import { load } from "@/api/load";
import { tokenOrSignIn } from "@/api/session";
import { documentName, spaceName } from "@/api/views";
import { DocumentEditor } from "@/components/DocumentEditor";
import { RecordView } from "@/components/RecordView";

export default async function DocumentPage({
  params,
  searchParams,
}: {
  params: Promise<{ space: string; document: string }>;
  searchParams: Promise<{ from?: string; to?: string }>;
}) {
  const { space, document } = await params;
  const { from, to } = await searchParams;
  const passage =
    from !== undefined && to !== undefined && Number(to) > Number(from)
      ? { from: Number(from), to: Number(to) }
      : undefined;
  const token = await tokenOrSignIn();
  const name = documentName(space, document);
  const [found, versions, inSpace] = await Promise.all([
    load("this document", () => getDocument(token, name)),
    load("its history", () => listVersions(token, name)),
    load("its space", () => getSpace(token, spaceName(space))),
  ]);
  return (
    <>
      <p>
        <Link href="/spaces">Spaces</Link> /{" "}
        <Link href={`/spaces/${space}`}>{inSpace.ok ? inSpace.value.displayName : space}</Link> /
      </p>
      {found.ok ? <RecordView document={found.value.name} title={found.value.title} /> : null}
      {found.ok ? (
        <DocumentEditor
          key={found.value.name}
          initial={found.value}
          versions={versions.ok ? versions.value : []}
          passage={passage}
        />
      ) : (
        <section className="card">
          <h1>Document</h1>
          <p className="error" role="alert">
            {found.message}
          </p>
        </section>
      )}
    </>
  );
}
