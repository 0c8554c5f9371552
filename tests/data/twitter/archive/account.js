window.YTD.account.part0 = [
  {
    "account" : {
      "email" : "social@northwind-outfitters.example",
      "createdVia" : "web",
      "username" : "NorthwindHelp",
      "accountId" : "1456789012",
      "createdAt" : "2013-05-02T09:14:11.000Z",
      "accountDisplayName" : "Northwind Help"
    }
  }
]