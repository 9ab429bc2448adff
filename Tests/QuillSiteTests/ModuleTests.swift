import Testing

@testable import QuillSite
