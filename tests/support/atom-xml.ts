// An Atom document read with a well-kept XML parser (saxes, namespaces on) into
// a small tree of elements: throws on anything that is not well-formed XML.
// Used by the feed checks over HTTP (tests/routes/feeds-accountability.test.ts)
// and in the browser suite (tests/e2e/loop-pages.test.ts).
import { SaxesParser } from "saxes";

export const ATOM_NS = "http://www.w3.org/2005/Atom";

export interface XmlElement {
  name: string;
  ns: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** The document's root element (namespace-aware; `xml:lang` keeps its prefix). */
export function parseXml(xmlText: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true });
  const root: XmlElement = { name: "#document", ns: "", attrs: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  parser.on("error", (e) => {
    throw e;
  });
  parser.on("opentag", (tag) => {
    const el: XmlElement = {
      name: tag.local,
      ns: tag.uri,
      attrs: Object.fromEntries(
        Object.values(tag.attributes).map((a) => [a.local === "lang" && a.prefix === "xml" ? "xml:lang" : a.local, a.value]),
      ),
      children: [],
      text: "",
    };
    stack.at(-1)!.children.push(el);
    stack.push(el);
  });
  parser.on("text", (t) => {
    stack.at(-1)!.text += t;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(xmlText).close();
  return root.children[0];
}

/** The Atom children of `el` named `name`. */
export const atomChildren = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name && c.ns === ATOM_NS);
