// The part of WebAssembly's JavaScript API that the engine uses (Module, Instance, Memory, errors).
// Node has the WebAssembly global (it is V8's), but @types/node 20 does not declare it and
// TypeScript declares it only in the DOM and WebWorker libs, which would let browser globals
// into the engine. Included by the no-DOM projects only (src/engine, src/), never next to the
// DOM lib, where this would clash with the DOM's own declaration.
declare namespace WebAssembly {
  type ExportValue = Function | Memory;
  type Exports = Record<string, ExportValue>;
  type ImportValue = ExportValue | number;
  type Imports = Record<string, Record<string, ImportValue>>;

  interface ModuleExportDescriptor {
    kind: 'function' | 'global' | 'memory' | 'table';
    name: string;
  }
  interface ModuleImportDescriptor extends ModuleExportDescriptor {
    module: string;
  }
  interface Module {}
  var Module: {
    prototype: Module;
    new (bytes: ArrayBufferView | ArrayBuffer): Module;
    exports(module: Module): ModuleExportDescriptor[];
    imports(module: Module): ModuleImportDescriptor[];
  };
  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean;

  /** Thrown when bytes are not a valid module or use features this runtime lacks (e.g. SIMD). */
  interface CompileError extends Error {}
  var CompileError: { prototype: CompileError; new (message?: string): CompileError };
  interface LinkError extends Error {}
  var LinkError: { prototype: LinkError; new (message?: string): LinkError };
  interface RuntimeError extends Error {}
  var RuntimeError: { prototype: RuntimeError; new (message?: string): RuntimeError };

  interface Instance {
    readonly exports: Exports;
  }
  var Instance: {
    prototype: Instance;
    new (module: Module, importObject?: Imports): Instance;
  };

  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  interface Memory {
    /** A SharedArrayBuffer for a shared memory; typed as ArrayBuffer, as the DOM lib does. */
    readonly buffer: ArrayBuffer;
    /** Grows by `delta` 64 KiB pages; returns the previous size in pages. */
    grow(delta: number): number;
  }
  var Memory: {
    prototype: Memory;
    new (descriptor: MemoryDescriptor): Memory;
  };
}
